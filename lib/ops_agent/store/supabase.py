"""SupabaseStore: the same SQL functions, called over HTTPS with supabase-py's `rpc()`.

Connectionless, so a cold serverless instance pays for no database handshake. The `supabase`
package is imported on first use to keep it off the import path of functions that never call it.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import httpx

from ops_agent.store.base import Store, check_function_name
from ops_agent.store.errors import StoreUnavailable, error_for

if TYPE_CHECKING:
    from supabase import AsyncClient


class SupabaseStore(Store):
    """`Store` over Supabase's PostgREST RPC endpoint, authenticated with the service-role key."""

    backend = "supabase"

    def __init__(
        self,
        url: str,
        service_role_key: str,
        *,
        schema: str = "public",
        timeout: float = 5.0,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self._url = url
        self._key = service_role_key
        self._schema = schema
        self._timeout = timeout
        self._http = http_client or httpx.AsyncClient(timeout=timeout)
        self._owns_http = http_client is None
        self._client: AsyncClient | None = None
        self._lock = asyncio.Lock()

    async def _get_client(self) -> AsyncClient:
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    from supabase import AsyncClientOptions, acreate_client

                    options = AsyncClientOptions(
                        schema=self._schema,
                        httpx_client=self._http,
                        postgrest_client_timeout=self._timeout,
                        auto_refresh_token=False,
                        persist_session=False,
                    )
                    self._client = await acreate_client(self._url, self._key, options=options)
        return self._client

    async def rpc(self, function: str, args: dict[str, Any] | None = None) -> Any:
        from postgrest.exceptions import APIError

        check_function_name(function)
        client = await self._get_client()
        payload = _jsonable(args or {})
        try:
            async with asyncio.timeout(self._timeout):
                response = await client.rpc(function, payload).execute()
        except APIError as exc:
            raise error_for(exc.code, exc.message or str(exc), exc.details) from exc
        except (httpx.HTTPError, TimeoutError) as exc:
            raise StoreUnavailable(f"Supabase unreachable: {exc!r}") from exc
        return response.data

    async def close(self) -> None:
        if self._owns_http:
            await self._http.aclose()


def _jsonable(value: Any) -> Any:
    """Arguments as PostgREST expects them: JSON values, datetimes in ISO 8601."""
    from pydantic_core import to_jsonable_python

    return to_jsonable_python(value)
