// The playground page: shows what the server pushes (server-sent events) and posts what the
// person does (type, click, submit) back to it. The server turns those into real Slack
// requests to the bot; this file only draws and forwards.
"use strict";

const { el, renderBlocks, readInputs, mrkdwn } = BlockKit;
const state = {
  messages: new Map(), // key -> message, in the order they arrived
  channels: {},
  users: {},
  botName: "",
  command: "/ecs-vs-ec2",
  home: null,
  modal: { view: null, errors: {} },
  current: null, // the channel shown
  tab: "messages", // or "home", in the bot's DM
  focusError: false, // after the form came back: put the cursor in the first bad field
  replyTo: null, // in a channel: the ts of the thread the composer replies in
  jumpToDm: false, // an App Home button was clicked: show the DM when its answer comes
};
const $ = (selector) => document.querySelector(selector);

async function post(path, body) {
  let response;
  try {
    response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch {
    showProblem("The playground server is not answering: is `ecsbot playground` still running?");
    return false;
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) showProblem(answer.error || `the playground answered ${response.status}`);
  return response.ok;
}

function showProblem(text) {
  const banner = $("#problem");
  banner.textContent = text;
  banner.hidden = !text;
}

// A click on a button (or a chosen option) in a message or a view.
function actionHandler(where) {
  return async (block, element, value, node) => {
    node.disabled = true;
    try {
      const { block_id } = block;
      await post("/api/act", { ...where, block_id, action_id: element.action_id, value });
    } finally {
      node.disabled = false;
    }
  };
}

// App Home's buttons answer in the DM: show it when that answer arrives, as Slack's badge
// would lead the person there.
function homeHandler(handler) {
  return async (...args) => {
    state.jumpToDm = true;
    await handler(...args);
  };
}

function isDm(channel) {
  return channel.startsWith("D");
}

function renderMessage(message) {
  const name = { you: "you", bot: state.botName, slackbot: "Slackbot" }[message.author];
  const header = el("div", "msg-header", el("span", "msg-name", name));
  if (message.author === "bot") header.append(el("span", "msg-badge", "APP"));
  header.append(el("span", "msg-time", message.time));
  const body = message.blocks.length
    ? renderBlocks(message.blocks, actionHandler({ message: message.key }))
    : el("div", "msg-text", mrkdwn(message.text));
  const content = el("div", "msg-content", header, body);
  if (message.ephemeral) content.prepend(el("div", "msg-ephemeral", "Only visible to you"));
  const avatar = el("div", `avatar avatar-${message.author}`, name.slice(0, 1).toUpperCase());
  const node = el("article", `msg${message.ephemeral ? " ephemeral" : ""}`, avatar, content);
  node.dataset.key = message.key;
  return node;
}

// Channel messages with their thread replies right under them (Slack opens threads aside).
function renderConversation() {
  const list = $("#messages");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const here = [...state.messages.values()].filter((m) => m.channel === state.current);
  const parents = new Set(here.map((m) => m.ts));
  const isReply = (m) => m.thread_ts && m.thread_ts !== m.ts && parents.has(m.thread_ts);
  const nodes = [];
  for (const message of here.filter((m) => !isReply(m))) {
    nodes.push(renderMessage(message));
    const replies = here.filter((m) => isReply(m) && m.thread_ts === message.ts);
    if (replies.length) {
      const count = `${replies.length} ${replies.length === 1 ? "reply" : "replies"}`;
      const label = el("div", "thread-label", `Thread · ${count}`);
      if (!isDm(state.current)) label.append(replyButton(message.ts));
      nodes.push(el("section", "thread", label, ...replies.map(renderMessage)));
    }
  }
  if (!nodes.length) nodes.push(el("p", "empty", emptyText()));
  list.replaceChildren(...nodes);
  if (atBottom) list.scrollTop = list.scrollHeight;
}

// "Reply in thread": the next messages typed go to that thread, as in Slack's thread pane.
function replyButton(ts) {
  const button = el("button", "thread-reply", "Reply in thread");
  button.type = "button";
  button.addEventListener("click", () => {
    state.replyTo = ts;
    renderChrome();
    $("#message-box").focus();
  });
  return button;
}

function emptyText() {
  return isDm(state.current)
    ? `This is your direct message with ${state.botName}. Ask it "ECS or EC2?" questions, ` +
      `or try ${state.command} help.`
    : `Messages here go to @${state.botName} as mentions; it answers in threads.`;
}

function renderHome() {
  const home = $("#home");
  home.replaceChildren(
    state.home
      ? renderBlocks(state.home.blocks, homeHandler(actionHandler({ view: state.home.id })))
      : el("p", "empty", "Loading…"),
  );
}

// A new view (or a new version of one) is drawn afresh; for the same one only its errors
// change, so what the person entered stays.
function renderModal() {
  const { view, errors } = state.modal;
  const dialog = $("#modal");
  dialog.hidden = !view;
  if (!view) return;
  const body = $("#modal-body");
  const version = `${view.id}/${view.hash}`;
  if (body.dataset.version === version) {
    BlockKit.showErrors(body, errors);
  } else {
    body.dataset.version = version;
    body.replaceChildren(renderBlocks(view.blocks, actionHandler({ view: view.id }), errors));
  }
  $("#modal-title").textContent = view.title ? view.title.text : "";
  $("#modal-submit").hidden = !view.submit;
  $("#modal-submit").textContent = view.submit ? view.submit.text : "Submit";
  $("#modal-close").textContent = view.close ? view.close.text : "Cancel";
  if (state.focusError) {
    const firstError = body.querySelector(".bk-has-error .bk-control");
    if (firstError) (firstError.querySelector("input") || firstError).focus();
    state.focusError = false;
  }
}

function renderChrome() {
  const dm = isDm(state.current);
  for (const link of document.querySelectorAll("[data-channel]")) {
    link.classList.toggle("active", link.dataset.channel === state.current);
  }
  const name = state.channels[state.current];
  $("#channel-title").textContent = dm ? name : `# ${name}`;
  $("#tabs").hidden = !dm;
  const onHome = dm && state.tab === "home";
  $("#tab-home").classList.toggle("active", onHome);
  $("#tab-messages").classList.toggle("active", !onHome);
  $("#home").hidden = !onHome;
  $("#messages").hidden = onHome;
  $("#composer").hidden = onHome;
  const box = $("#message-box");
  const inThread = !dm && Boolean(state.replyTo);
  $("#replying").hidden = !inThread;
  box.placeholder = dm
    ? `Message ${name}`
    : inThread
      ? `Reply in the thread (mentions @${state.botName})`
      : `Message #${name} (mentions @${state.botName})`;
  box.setAttribute("aria-label", box.placeholder);
}

function render() {
  renderChrome();
  renderConversation();
  renderHome();
  renderModal();
}

function apply(event) {
  if (event.type === "snapshot") {
    const { channels, users, command } = event;
    Object.assign(state, { channels, users, command, botName: event.bot_name });
    BlockKit.setNames({ users: event.users, channels: event.channels });
    state.messages = new Map(event.messages.map((m) => [m.key, m]));
    state.home = event.home;
    state.modal = event.modal;
    state.current = state.current || Object.keys(event.channels).find(isDm);
    buildSidebar();
    document.body.dataset.connected = "true";
  } else if (event.type === "message") {
    state.messages.set(event.message.key, event.message);
    const { channel, author } = event.message;
    if (state.jumpToDm && author === "bot" && isDm(channel) && state.tab === "home") {
      state.jumpToDm = false;
      state.current = channel;
      state.tab = "messages";
    }
  } else if (event.type === "deleted") {
    state.messages.delete(event.key);
  } else if (event.type === "home") {
    state.home = event.view;
  } else if (event.type === "modal") {
    state.modal = event;
    state.focusError = true;
  }
  render();
}

function buildSidebar() {
  const entries = Object.entries(state.channels);
  const link = ([id, name]) => {
    const button = el("button", "side-link", isDm(id) ? `● ${name}` : `# ${name}`);
    button.type = "button";
    button.dataset.channel = id;
    button.addEventListener("click", () => show(id, "messages"));
    return button;
  };
  $("#side-channels").replaceChildren(...entries.filter(([id]) => !isDm(id)).map(link));
  $("#side-apps").replaceChildren(...entries.filter(([id]) => isDm(id)).map(link));
}

function show(channel, tab) {
  if (channel !== state.current) state.replyTo = null;
  state.current = channel;
  state.tab = tab;
  if (tab === "home") post("/api/home", {});
  render();
  if (tab === "messages") $("#message-box").focus();
}

function connect() {
  const stream = new EventSource("/events");
  stream.onmessage = (message) => apply(JSON.parse(message.data));
  stream.onopen = () => showProblem("");
  stream.onerror = () => showProblem("Lost the playground server; reconnecting…");
}

function setUp() {
  const box = $("#message-box");
  $("#composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = box.value.trim();
    if (!text) return;
    box.value = "";
    const thread = !isDm(state.current) && state.replyTo ? { thread_ts: state.replyTo } : {};
    await post("/api/say", { channel: state.current, text, ...thread });
  });
  $("#replying-cancel").addEventListener("click", () => {
    state.replyTo = null;
    renderChrome();
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("#composer").requestSubmit();
    }
  });
  $("#tab-home").addEventListener("click", () => show(state.current, "home"));
  $("#tab-messages").addEventListener("click", () => show(state.current, "messages"));
  $("#modal-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    await post("/api/submit", { view: state.modal.view.id, values: readInputs($("#modal-body")) });
  });
  const close = () => state.modal.view && post("/api/close", { view: state.modal.view.id });
  $("#modal-close").addEventListener("click", close);
  $("#modal-x").addEventListener("click", close);
  connect();
}

setUp();
