// The chat page's script: one mixnet client per page, bundled for the browser with
// `deno bundle --platform browser` (see serve.ts). Query parameters:
//   gateway=<identity>   the gateway to register at (default: a random one from the directory)
//   traffic=<preset>     `default` (Poisson + loop cover, as Nym's clients) or `noCover`
// The nym-api directory is reached on this page's own origin under /api/ (serve.ts proxies it).
import { connect, type MixnetClient, type ReceivedMessage, type TrafficPreset } from "../../mod.ts";
import { type Control, document, type Element } from "./_dom.ts";

const params = new URL(location.href).searchParams;
const $ = <T extends Element = Element>(id: string): T => document.getElementById(id) as T;
const status = $("status");
const addressBox = $("address");
const form = $("send-form");
const recipientRow = $("recipient-row");
const recipientInput = $<Control>("recipient");
const textInput = $<Control>("text");
const sendButton = $<Control>("send");
const replying = $("replying");
const replyingTag = $("replying-tag");
const log = $("log");
const logEmpty = $("log-empty");

/** The sender tag being answered, when the form is in reply mode. */
let replyTo: string | undefined;

function setStatus(state: string, label: string): void {
  status.dataset.state = state;
  status.textContent = label;
}

function short(text: string): string {
  return text.length > 14 ? `${text.slice(0, 6)}…${text.slice(-6)}` : text;
}

function addEntry(kind: "sent" | "received" | "reply", meta: string, body: string): Element {
  const li = document.createElement("li");
  li.className = `entry ${kind}`;
  const metaLine = document.createElement("div");
  metaLine.className = "meta";
  metaLine.textContent = meta;
  const text = document.createElement("div");
  text.className = "body";
  text.textContent = body;
  li.append(metaLine, text);
  log.append(li);
  logEmpty.hidden = true;
  return li;
}

function setReplyMode(tag: string | undefined): void {
  replyTo = tag;
  replying.hidden = tag === undefined;
  recipientRow.hidden = tag !== undefined;
  replyingTag.textContent = tag ? `anonymous #${short(tag)}` : "";
  if (tag) textInput.focus();
}

function showReceived(message: ReceivedMessage): void {
  const body = new TextDecoder().decode(message.data);
  if (message.kind === "reply") {
    addEntry("reply", "reply to your anonymous message", body);
    return;
  }
  const tag = message.senderTag;
  const li = addEntry(
    "received",
    tag ? `from anonymous #${short(tag)}` : "from an unknown sender (no reply blocks)",
    body,
  );
  if (tag) {
    const button = document.createElement("button") as Control;
    button.type = "button";
    button.className = "secondary reply";
    button.textContent = "Reply anonymously";
    button.addEventListener("click", () => setReplyMode(tag));
    li.querySelector(".meta")!.append(button);
  }
}

function send(client: MixnetClient, text: string): void {
  const started = performance.now();
  const to = replyTo;
  const recipient = recipientInput.value.trim();
  let handle;
  try {
    handle = to ? client.reply(to, text) : client.send(recipient, text, { replySurbs: 5 });
  } catch (error) {
    addEntry("sent", `not sent: ${(error as Error).message}`, text).classList.add("failed");
    return;
  }
  const meta = to ? `anonymous reply to #${short(to)}` : `to ${short(recipient)}`;
  const li = addEntry("sent", `${meta} · sending ${handle.fragments} packet(s)…`, text);
  handle.delivered.then(
    () => {
      const ms = (performance.now() - started).toFixed(0);
      li.querySelector(".meta")!.textContent = `${meta} · delivered ✓ (acknowledged in ${ms} ms)`;
      li.dataset.delivered = "true";
    },
    (error: Error) => {
      li.querySelector(".meta")!.textContent = `${meta} · failed: ${error.message}`;
      li.classList.add("failed");
    },
  );
}

async function main(): Promise<void> {
  const client = await connect({
    nymApiUrl: new URL("/api/", location.origin).href,
    gateway: params.get("gateway") ?? undefined,
    traffic: (params.get("traffic") ?? "default") as TrafficPreset,
  });
  addressBox.textContent = client.address;
  document.body.dataset.address = client.address;
  setStatus("connected", "connected");
  sendButton.disabled = false;
  client.on("reconnecting", ({ reason }) => setStatus("connecting", `reconnecting (${reason})`));
  client.on("connected", () => setStatus("connected", "connected"));
  addEventListener("pagehide", () => void client.disconnect());

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = textInput.value;
    if (!text) return;
    send(client, text);
    textInput.value = "";
    setReplyMode(undefined);
  });
  $("cancel-reply").addEventListener("click", () => setReplyMode(undefined));

  for await (const message of client.messages) showReceived(message);
}

main().catch((error: Error) => {
  console.error(error);
  setStatus("error", `error: ${error.message}`);
});
