"""The Slack side end to end: the real Bolt HTTP app, signed requests, a local Web API stand-in."""

from __future__ import annotations

import asyncio
import json
import textwrap
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from bot.answering import Answerer, Recommender, load_recommender
from bot.knowledge import KnowledgeBase, default_knowledge_dir, load_knowledge
from bot.matching import Match, Matcher, Suggestion
from bot.ports import EntryPoint, Vote
from bot.settings import Settings
from bot.slack import create_app, create_web_app
from bot.slack.standin import BOT_TOKEN, Call, SlackStandIn
from tests.conftest import write_topic
from tests.slack import payloads
from tests.waiting import BACKGROUND_SECONDS

UNSURE_QUESTION = "something about fargate money maybe"

_TOPIC = """\
id: {id}
title: {title}
questions: [{questions}]
keywords: [{keywords}]
answer: "{answer}"
ecs: ["{ecs}"]
ec2: ["{ec2}"]
sources:
  - title: Amazon ECS developer guide
    url: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/Welcome.html
related: [{related}]
reviewed: 2026-11-26
"""
_TOPICS = {
    "cost": dict(
        title="How ECS and EC2 are priced",
        questions='"How is Fargate billed?", "Is ECS cheaper than EC2?"',
        keywords="pricing, billing, cost",
        answer="ECS itself is free: you pay for the EC2 instances or Fargate vCPU and memory.",
        ecs="No charge for the ECS control plane",
        ec2="Pay per instance-hour or per second",
        related="fargate, which-should-i-choose",
    ),
    "fargate": dict(
        title="What AWS Fargate is",
        questions='"What is Fargate?", "Do I need servers with Fargate?"',
        keywords="fargate, serverless",
        answer="Fargate runs ECS tasks without servers to manage.",
        ecs="Runs tasks without instances",
        ec2="You manage the instances",
        related="cost",
    ),
    "which-should-i-choose": dict(
        title="Choosing between ECS and EC2",
        questions='"Should I use ECS or EC2?", "Which should I choose?"',
        keywords="choose, decide",
        answer="Pick ECS to run containers with less operations work; EC2 for full control.",
        ecs="Scheduling and scaling handled",
        ec2="Full control of the operating system",
        related="cost, fargate",
    ),
}
_VOCABULARY = """\
domain_terms: [ecs, ec2, fargate]
stopwords: [what, is, how, the, a, i, do, should, use, or, than, with, need]
"""


@pytest.fixture(scope="session")
def slack_kb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A three-topic knowledge directory of our own, so these tests don't move with the real one."""
    directory: Path = tmp_path_factory.mktemp("slack_kb")
    for topic_id, fields in _TOPICS.items():
        write_topic(directory, f"{topic_id}.yaml", _TOPIC.format(id=topic_id, **fields))
    (directory / "vocabulary.yaml").write_text(textwrap.dedent(_VOCABULARY), encoding="utf-8")
    return directory


@pytest.fixture(scope="session")
def slack_kb(slack_kb_dir: Path) -> KnowledgeBase:
    """The knowledge base in slack_kb_dir."""
    return load_knowledge(slack_kb_dir)


@pytest.fixture(scope="session")
def slack_recommender() -> Recommender:
    """The shipped "Help me choose" config, loaded once, keyed as bot_settings are."""
    settings = Settings(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=payloads.SIGNING_SECRET,
        knowledge_dir=default_knowledge_dir(),
    )
    return load_recommender(settings)


class ScriptedMatcher(Matcher):
    """The real matcher, except that questions containing UNSURE_QUESTION get a low-confidence
    match."""

    def match(
        self, question: str, context: str | None = None, context_topic: str | None = None
    ) -> Match:
        if UNSURE_QUESTION not in question:
            return super().match(question, context, context_topic)
        fargate, cost = self.kb.get("fargate"), self.kb.get("cost")
        assert fargate is not None and cost is not None
        return Match(question, fargate, 0.4, confident=False, suggestions=(Suggestion(cost, 0.3),))


@pytest.fixture(scope="session")
def slack_answerer(slack_kb: KnowledgeBase) -> Answerer:
    """The answerer the app under test uses."""
    return Answerer(slack_kb, ScriptedMatcher(slack_kb))


@dataclass
class FakeRecorder:
    """An in-memory Recorder; with `save_votes` False, votes fail to save like a database down."""

    questions: list[dict[str, Any]] = field(default_factory=list)
    served: list[dict[str, Any]] = field(default_factory=list)
    votes: list[dict[str, Any]] = field(default_factory=list)
    save_votes: bool = True

    async def record_question(
        self, workspace: str, text: str, match: Match, entry_point: EntryPoint = "slash"
    ) -> bool:
        self.questions.append(
            dict(workspace=workspace, text=text, match=match, entry_point=entry_point)
        )
        return True

    async def record_served(self, workspace: str, topic_id: str, entry_point: EntryPoint) -> bool:
        self.served.append(dict(workspace=workspace, topic_id=topic_id, entry_point=entry_point))
        return True

    async def record_feedback(
        self, workspace: str, user_id: str, topic_id: str, answer_ref: str, vote: Vote
    ) -> bool:
        if not self.save_votes:
            return False
        self.votes.append(
            dict(
                workspace=workspace,
                user_id=user_id,
                topic_id=topic_id,
                answer_ref=answer_ref,
                vote=vote,
            )
        )
        return True

    async def flush(self) -> bool:
        return True

    async def asked(
        self, count: int = 1, timeout: float = BACKGROUND_SECONDS
    ) -> list[dict[str, Any]]:
        """The recorded questions once there are `count`; they are recorded after the reply."""
        return await _at_least(self.questions, count, "recorded question(s)", timeout)

    async def answers_served(
        self, count: int = 1, timeout: float = BACKGROUND_SECONDS
    ) -> list[dict[str, Any]]:
        """The recorded button answers once there are `count`."""
        return await _at_least(self.served, count, "served answer(s)", timeout)


async def _at_least(
    items: list[dict[str, Any]], count: int, what: str, timeout: float
) -> list[dict[str, Any]]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while len(items) < count:
        assert loop.time() < deadline, f"expected {count} {what}"
        await asyncio.sleep(0.01)
    return items


@dataclass(frozen=True)
class Response:
    """What the app answered Slack."""

    status: int
    text: str

    def reply(self) -> Call:
        """The reply carried in this ack (a slash command answered at once), shaped like a
        call recorded at the stand-in; fails when the ack carried none."""
        assert self.status == 200, self
        assert self.text.startswith("{"), f"the ack carried no reply: {self.text!r}"
        return Call("ack", {}, json.loads(self.text))


async def command_reply(response: Response, api: SlackStandIn, before: int = 0) -> Call:
    """A slash command's reply: in its ack, or, when the reply was not ready in time (storage
    was slow, or a user near the rate limit was counted centrally), the first post to
    response_url after the `before` there were when the command was sent."""
    if response.text:
        return response.reply()
    return (await api.wait_for("response_url", before + 1))[before]


class BotUnderTest:
    """Posts signed requests in Slack's formats to the running app."""

    def __init__(self, client: TestClient[Any, Any], api: SlackStandIn) -> None:
        self.client = client
        self.api = api

    async def post(
        self, body: str, *, form: bool = True, headers: dict[str, str] | None = None
    ) -> Response:
        """POST `body` to /slack/events, signed unless `headers` are given."""
        headers = payloads.signed_headers(body, form=form) if headers is None else headers
        async with self.client.post("/slack/events", data=body, headers=headers) as resp:
            return Response(resp.status, await resp.text())

    async def ask(self, text: str, *, user_id: str = payloads.USER_ID) -> Call:
        """Run `/ecs-vs-ec2 <text>` as `user_id`; its reply, wherever it came (`command_reply`)."""
        before = len(self.api.of("response_url"))
        body = payloads.slash_command(text, self.api.response_url("command"), user_id=user_id)
        return await command_reply(await self.post(body), self.api, before)

    async def command(
        self, text: str, *, response_url: str | None = None, trigger_id: str | None = None
    ) -> Response:
        """Run `/ecs-vs-ec2 <text>`."""
        url = response_url or self.api.response_url("command")
        return await self.post(payloads.slash_command(text, url, trigger_id=trigger_id))

    async def event(self, event: dict[str, Any], **kwargs: Any) -> Response:
        """Deliver one Events API event."""
        return await self.post(payloads.event_callback(event, **kwargs), form=False)

    async def click(self, action_id: str, value: str, **kwargs: Any) -> Response:
        """Click a button."""
        return await self.post(payloads.button_click(action_id, value, **kwargs))

    async def submit(self, callback_id: str, **kwargs: Any) -> Response:
        """Submit a modal."""
        return await self.post(payloads.view_submission(callback_id, **kwargs))


@pytest_asyncio.fixture
async def slack_api() -> AsyncIterator[SlackStandIn]:
    """The Web API stand-in on a free 127.0.0.1 port."""
    api = SlackStandIn()
    await api.start()
    yield api
    await api.close()


@pytest.fixture
def recorder() -> FakeRecorder:
    """Questions and votes the app recorded."""
    return FakeRecorder()


def bot_settings(api: SlackStandIn, **overrides: Any) -> Settings:
    """HTTP-mode settings pointing the Web API client at the stand-in."""
    values: dict[str, Any] = dict(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=payloads.SIGNING_SECRET,
        slack_api_url=api.api_url,
    )
    return Settings(**{**values, **overrides})


async def settle(timeout: float = 5.0) -> None:
    """Let listeners still running after their ack finish, so nothing outlives the test."""
    others = [
        t
        for t in asyncio.all_tasks()
        if t is not asyncio.current_task() and not t.get_name().startswith("proxy-pump:")
    ]
    if others:
        await asyncio.wait(others, timeout=timeout)


# What a listener runs in after its ack: ours (bot.slack.ack_runner), and Bolt's own runner's.
LISTENER_COROUTINES = (
    "PromptAckRunner._run_listener",
    "AsyncioListenerRunner.run.<locals>.run_ack_function_asynchronously",
)


async def listeners_done(timeout: float = 5.0) -> None:
    """Wait for every Bolt listener still running after its ack (and nothing else: the
    server's own tasks live as long as the test client)."""
    running = [
        t
        for t in asyncio.all_tasks()
        if getattr(t.get_coro(), "__qualname__", "") in LISTENER_COROUTINES
    ]
    if running:
        await asyncio.wait(running, timeout=timeout)


@pytest_asyncio.fixture
async def bot(
    slack_api: SlackStandIn,
    slack_answerer: Answerer,
    recorder: FakeRecorder,
    slack_recommender: Recommender,
) -> AsyncIterator[BotUnderTest]:
    """The real aiohttp + Bolt app from bot.slack.server, on a free port."""
    app = create_app(
        bot_settings(slack_api), slack_answerer, recorder=recorder, recommender=slack_recommender
    )
    async with TestClient(TestServer(create_web_app(app), host="127.0.0.1")) as client:
        yield BotUnderTest(client, slack_api)
    await settle()
