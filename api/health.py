from fastapi import FastAPI

import ops_agent

app = FastAPI()


@app.get("/api/health")
def health() -> dict[str, str]:
    return {"version": ops_agent.__version__}
