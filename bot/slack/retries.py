"""Counting the Slack Web API's retries and failures through slack_sdk's retry handler hooks.

slack_sdk asks each retry handler in turn whether to retry a call that failed, and lets the
first that says yes prepare the next attempt. `CountedRetries` wraps a handler and counts the
retries it decides; `CountFailures`, last in the list, never retries and counts each call that
ends in an error: a connection error or timeout, an HTTP error status, or `"ok": false`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot import metrics


def method_of(request: HttpRequest) -> str:
    """The Web API method a request calls (`chat.postMessage`), as a bounded label."""
    return metrics.api_method(urlsplit(request.url).path.rsplit("/", 1)[-1])


def failure(response: HttpResponse | None, error: Exception | None) -> str | None:
    """Why a call failed (connection, rate_limited, server_error, client_error, api_error),
    or None for a success."""
    if error is not None:
        return "connection"
    if response is None:
        return None
    if response.status_code == 429:
        return "rate_limited"
    if response.status_code >= 500:
        return "server_error"
    if response.status_code >= 400:
        return "client_error"
    body = response.body or {}
    return "api_error" if body.get("ok") is False else None


class CountedRetries(AsyncRetryHandler):
    """`inner`, counting each retry it decides on under `reason`."""

    def __init__(self, inner: AsyncRetryHandler, reason: str) -> None:
        super().__init__(inner.max_retry_count, inner.interval_calculator)
        self.inner = inner
        self.reason = reason

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        """What `inner` says."""
        return await self.inner.can_retry_async(
            state=state, request=request, response=response, error=error
        )

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        """Count the retry, then let `inner` wait before it (Retry-After, backoff)."""
        metrics.slack_api_retried(method_of(request), self.reason)
        await self.inner.prepare_for_next_attempt_async(
            state=state, request=request, response=response, error=error
        )


class CountFailures(AsyncRetryHandler):
    """Never retries; counts every call that ends in an error (put it last)."""

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        """False; counts the failure, if it is one."""
        reason = failure(response, error)
        if reason is not None:
            metrics.slack_api_failed(method_of(request), reason)
        return False
