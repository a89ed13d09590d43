"""Driving the playground page like a person: type in the message box, find the bot's replies."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect


def message_box(page: Page) -> Locator:
    """The first text box on the page: the channel's message box."""
    return page.get_by_role("textbox").first


def messages(page: Page) -> Locator:
    """Every message shown in the open channel, threads included, oldest first."""
    return page.locator("#messages article.msg")


def say(page: Page, text: str, *, replies: int = 1) -> Locator:
    """Type `text` and press Enter; wait for `replies` new messages (the person's own one
    included unless it is a slash command) and return the last."""
    before = messages(page).count()
    box = message_box(page)
    box.fill(text)
    box.press("Enter")
    expect(messages(page)).to_have_count(before + replies)
    return messages(page).last


def ask(page: Page, question: str) -> Locator:
    """Ask the bot in the open channel; the answer's message."""
    return say(page, question, replies=2)


def open_channel(page: Page, name: str) -> None:
    """Open a channel ("# general") or the bot's DM ("● ecs-vs-ec2") from the sidebar."""
    page.locator(".sidebar").get_by_role("button", name=name).click()
