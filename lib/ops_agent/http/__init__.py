"""The HTTP edge: one FastAPI app per Vercel function, their routes, auth and errors."""
