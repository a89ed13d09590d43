// Block Kit as Slack shows it, built as DOM nodes. Text always goes in as text nodes (never
// innerHTML), so whatever a message says, it cannot become markup. Nothing here talks to the
// server: clicks go to the `onAction` callback the caller passes in.
"use strict";

const BlockKit = (() => {
  const EMOJI = {
    thumbsup: "👍", "+1": "👍", thumbsdown: "👎", "-1": "👎", white_check_mark: "✅",
    heavy_check_mark: "✔️", x: "❌", warning: "⚠️", bulb: "💡", moneybag: "💰", rocket: "🚀",
    tada: "🎉", mag: "🔍", question: "❓", information_source: "ℹ️", point_right: "👉",
    memo: "📝", gear: "⚙️", lock: "🔒", zap: "⚡", dollar: "💵", star: "⭐", wave: "👋",
    robot_face: "🤖", books: "📚", link: "🔗", arrow_right: "➡️", package: "📦", whale: "🐳",
    cloud: "☁️", hourglass: "⏳", bar_chart: "📊", speech_balloon: "💬", sparkles: "✨",
    eyes: "👀", ok_hand: "👌", thinking_face: "🤔", smile: "😄", slightly_smiling_face: "🙂",
  };
  // Inline mrkdwn: `code`, <link|label>, *bold*, _italic_, ~strike~ (not inside words), :emoji:
  const INLINE = new RegExp(
    [
      "`([^`\\n]+)`",
      "<([^<>\\n]+)>",
      "(?<![\\p{L}\\p{N}_*])\\*(?!\\s)([^*\\n]+?)(?<!\\s)\\*(?![\\p{L}\\p{N}_*])",
      "(?<![\\p{L}\\p{N}_])_(?!\\s)([^_\\n]+?)(?<!\\s)_(?![\\p{L}\\p{N}_])",
      "(?<![\\p{L}\\p{N}_~])~(?!\\s)([^~\\n]+?)(?<!\\s)~(?![\\p{L}\\p{N}_~])",
      ":([a-z0-9_+-]+):",
    ].join("|"),
    "gu",
  );
  const LIST_ITEM = /^\s*(?:[•◦▪-])\s+/;
  const NUMBERED = /^\s*(\d+)\.\s+/;
  const QUOTE = /^(?:&gt;|>) ?/;
  let names = { users: {}, channels: {} };

  // A new element with a class and children (nodes, or strings: added as text, never markup).
  function el(tag, className, ...children) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    node.append(...children);
    return node;
  }

  // Slack escapes only these three in message text.
  function decode(text) {
    return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  }

  function withEmoji(text) {
    return text.replace(/:([a-z0-9_+-]+):/g, (all, name) => EMOJI[name] || all);
  }

  function special(inside) {
    const [target, label] = inside.split(/\|(.*)/s);
    if (/^@[UW]/.test(target)) {
      return el("span", "mention", `@${label || names.users[target.slice(1)] || target.slice(1)}`);
    }
    if (target.startsWith("#C")) {
      return el("span", "mention", `#${label || names.channels[target.slice(1)] || "channel"}`);
    }
    if (target.startsWith("!")) {
      const word = target.slice(1).split("^")[0];
      return el("span", "mention", label ? decode(label) : `@${word}`);
    }
    if (/^(https?:|mailto:)/i.test(target)) {
      const link = el("a", "link", decode(label || target));
      link.href = decode(target);
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      return link;
    }
    return document.createTextNode(decode(`<${inside}>`));
  }

  function inline(text) {
    const frag = document.createDocumentFragment();
    let last = 0;
    for (const m of text.matchAll(INLINE)) {
      frag.append(decode(text.slice(last, m.index)));
      last = m.index + m[0].length;
      if (m[1] !== undefined) frag.append(el("code", "", decode(m[1])));
      else if (m[2] !== undefined) frag.append(special(m[2]));
      else if (m[6] !== undefined) frag.append(EMOJI[m[6]] || m[0]);
      else {
        const tag = m[3] !== undefined ? "b" : m[4] !== undefined ? "i" : "s";
        const node = el(tag);
        node.append(inline(m[3] ?? m[4] ?? m[5]));
        frag.append(node);
      }
    }
    frag.append(decode(text.slice(last)));
    return frag;
  }

  // Lines, grouped: quotes (> …), bullet lists (• …), numbered lists (1. …), plain lines.
  function lines(text) {
    const frag = document.createDocumentFragment();
    const rows = text.split("\n");
    let afterLine = false;
    for (let i = 0; i < rows.length; ) {
      const pattern = [QUOTE, LIST_ITEM, NUMBERED].find((p) => p.test(rows[i]));
      if (!pattern) {
        if (afterLine) frag.append(el("br"));
        frag.append(inline(rows[i++]));
        afterLine = true;
        continue;
      }
      const first = rows[i];
      const group = [];
      while (i < rows.length && pattern.test(rows[i])) group.push(rows[i++].replace(pattern, ""));
      if (pattern === QUOTE) {
        frag.append(el("blockquote", "", lines(group.join("\n"))));
      } else {
        const items = group.map((item) => el("li", "", inline(item)));
        const list = el(pattern === NUMBERED ? "ol" : "ul", "", ...items);
        if (pattern === NUMBERED) list.start = Number(first.match(NUMBERED)[1]);
        frag.append(list);
      }
      afterLine = false;
    }
    return frag;
  }

  function mrkdwn(text) {
    const frag = document.createDocumentFragment();
    text.split("```").forEach((part, i) => {
      if (i % 2 === 1) frag.append(el("pre", "code-block", decode(part.replace(/^\n/, ""))));
      else frag.append(lines(part));
    });
    return frag;
  }

  // A text object (plain_text or mrkdwn) as nodes.
  function textObject(obj) {
    if (!obj) return document.createDocumentFragment();
    if (obj.type === "mrkdwn") return mrkdwn(String(obj.text || ""));
    const text = String(obj.text || "");
    return document.createTextNode(obj.emoji === false ? text : withEmoji(text));
  }

  function button(element, onAction) {
    const node = el("button", `bk-button ${element.style ? `bk-${element.style}` : ""}`.trim());
    node.type = "button";
    node.append(textObject(element.text));
    node.addEventListener("click", () => onAction(element, element.value ?? null, node));
    return node;
  }

  function options(element) {
    const grouped = (element.option_groups || []).flatMap((g) => g.options || []);
    return [...(element.options || []), ...grouped];
  }

  function select(element, onChange) {
    const node = el("select", "bk-select");
    const hint = element.placeholder ? element.placeholder.text : "Select an item";
    const placeholder = el("option", "", hint);
    placeholder.value = "";
    node.append(placeholder);
    for (const option of options(element)) {
      const item = el("option", "", withEmoji(String(option.text.text)));
      item.value = option.value;
      item.selected = element.initial_option && element.initial_option.value === option.value;
      node.append(item);
    }
    if (onChange) {
      node.addEventListener("change", () => node.value && onChange(element, node.value, node));
    }
    return node;
  }

  function choices(element, kind, name) {
    const group = el("div", `bk-${kind}`);
    group.setAttribute("role", kind === "radio" ? "radiogroup" : "group");
    const initial = [element.initial_option, ...(element.initial_options || [])].filter(Boolean);
    options(element).forEach((option, n) => {
      const label = el("label", "bk-choice");
      const input = el("input");
      input.type = kind;
      input.name = name;
      input.value = option.value;
      input.checked = initial.some((o) => o.value === option.value);
      input.id = `${name}-${n}`;
      label.append(input, textObject(option.text));
      if (option.description) label.append(el("span", "bk-hint", option.description.text));
      group.append(label);
    });
    return group;
  }

  function textInput(element, id) {
    const node = el(element.multiline ? "textarea" : "input", "bk-input");
    if (!element.multiline) node.type = "text";
    if (element.type === "number_input") {
      node.inputMode = element.is_decimal_allowed ? "decimal" : "numeric";
    }
    node.id = id;
    node.value = element.initial_value ?? "";
    if (element.placeholder) node.placeholder = element.placeholder.text;
    return node;
  }

  // An element outside an input block (actions block, section accessory).
  function element(e, onAction) {
    if (e.type === "button") return button(e, onAction);
    if (e.type === "static_select") return select(e, onAction);
    if (e.type === "image") return el("span", "bk-image", `[image: ${e.alt_text || ""}]`);
    return el("span", "bk-unsupported", `[${e.type}]`);
  }

  function inputBlock(block, errors) {
    const node = el("div", "bk-input-block");
    const id = `input-${block.block_id}`;
    const label = el("label", "bk-label");
    label.htmlFor = id;
    label.append(textObject(block.label));
    if (block.optional) label.append(el("span", "bk-optional", " (optional)"));
    node.append(label);
    const e = block.element || {};
    let control;
    if (e.type === "radio_buttons") control = choices(e, "radio", id);
    else if (e.type === "checkboxes") control = choices(e, "checkbox", id);
    else if (e.type === "static_select") control = select(e, null);
    else control = textInput(e, id);
    if (control.tagName === "SELECT") control.id = id;
    control.dataset.kind = e.type;
    control.classList.add("bk-control");
    node.append(control);
    if (block.hint) node.append(el("div", "bk-hint", block.hint.text));
    node.append(el("div", "bk-error"));
    showError(node, errors[block.block_id]);
    return node;
  }

  function showError(inputBlock, text) {
    inputBlock.classList.toggle("bk-has-error", Boolean(text));
    inputBlock.querySelector(".bk-error").textContent = text || "";
  }

  // Show `errors` (by block id) at their inputs, keeping what was entered, as Slack does.
  function showErrors(container, errors) {
    for (const block of container.querySelectorAll(".bk-input-block")) {
      showError(block, errors[block.dataset.blockId]);
    }
  }

  function section(block, onAction) {
    const body = el("div", "bk-section-body");
    if (block.text) body.append(el("div", "bk-text", textObject(block.text)));
    if (block.fields) {
      const fields = block.fields.map((field) => el("div", "bk-field", textObject(field)));
      body.append(el("div", "bk-fields", ...fields));
    }
    const node = el("div", "bk-section", body);
    if (block.accessory) node.append(el("div", "bk-accessory", element(block.accessory, onAction)));
    return node;
  }

  // One block as nodes; `onAction(element, value, node)` for clicks, `errors` by block id.
  function renderBlock(block, onAction, errors) {
    const act = (e, value, node) => onAction(block, e, value, node);
    switch (block.type) {
      case "header":
        return el("div", "bk-header", withEmoji(String(block.text.text)));
      case "section":
        return section(block, act);
      case "divider":
        return el("hr", "bk-divider");
      case "context": {
        const parts = (block.elements || []).map((e) =>
          el("span", "bk-context-item", e.type === "image" ? `[${e.alt_text}]` : textObject(e)));
        return el("div", "bk-context", ...parts);
      }
      case "actions": {
        return el("div", "bk-actions", ...(block.elements || []).map((e) => element(e, act)));
      }
      case "input":
        return inputBlock(block, errors || {});
      case "image":
        return el("div", "bk-image", `[image: ${block.alt_text || ""}]`);
      default:
        return el("div", "bk-unsupported", `[a ${block.type} block]`);
    }
  }

  function renderBlocks(blocks, onAction, errors) {
    const node = el("div", "bk-blocks");
    for (const block of blocks) {
      const rendered = renderBlock(block, onAction, errors);
      rendered.dataset.blockId = block.block_id || "";
      node.append(rendered);
    }
    return node;
  }

  // What the inputs of a rendered view hold, by block id: text, option value(s), or null.
  function readInputs(container) {
    const values = {};
    for (const block of container.querySelectorAll(".bk-input-block")) {
      const control = block.querySelector(".bk-control");
      const id = block.dataset.blockId;
      const kind = control.dataset.kind;
      if (kind === "radio_buttons") {
        const checked = control.querySelector("input:checked");
        values[id] = checked ? checked.value : null;
      } else if (kind === "checkboxes") {
        values[id] = [...control.querySelectorAll("input:checked")].map((i) => i.value);
      } else {
        values[id] = control.value === "" ? null : control.value;
      }
    }
    return values;
  }

  function setNames(given) {
    names = given;
  }

  return { renderBlocks, readInputs, showErrors, mrkdwn, textObject, setNames, el };
})();
