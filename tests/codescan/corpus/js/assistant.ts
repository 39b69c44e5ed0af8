// Labelled corpus: TypeScript front-end code that renders model output.
import Anthropic from "@anthropic-ai/sdk";
import { generateText } from "ai";

const anthropic = new Anthropic({ apiKey: "sk-ant-api03-cgeD8Ej0kxMkplISJIZ_yr1Sle9qEZpAo46LkUfZhl6HvXzappUT2v-lXZAvUOkF9vvs6LGNGnA1ttOeUXxP-ypJF_D0pAA" }); // expect: CF-JS-LLM-CLIENT-KEY, CF-SECRET-ANTHROPIC
const proxy = new Anthropic({ apiKey: "<your-key>", baseURL: "/api/anthropic" });
const viteKey = import.meta.env.VITE_ANTHROPIC_API_KEY; // expect: CF-JS-LLM-PUBLIC-ENV
const siteUrl = import.meta.env.VITE_SITE_URL;

export async function summarize(text: string, el: HTMLElement): Promise<void> {
  const message = await anthropic.messages.create({
    model: "claude-3-5-sonnet-latest",
    max_tokens: 512,
    messages: [{ role: "user", content: text }],
  });
  const summary = message.content[0].text as string;
  el.innerHTML = `<h2>Summary</h2>${summary}`; // expect: CF-JS-XSS-LLM
  document.write(summary); // expect: CF-JS-XSS-LLM
  el.innerText = summary;
}

export async function plan(goal: string): Promise<unknown> {
  const { text } = await generateText({ model: "openai/gpt-4o", prompt: goal });
  const steps = JSON.parse(text);
  eval(text); // expect: CF-JS-LLM-EVAL
  const run = new Function("ctx", text); // expect: CF-JS-LLM-EVAL
  return steps;
}

export async function chatViaApi(q: string, box: HTMLElement): Promise<void> {
  const res = await fetch("/api/chat", { method: "POST", body: JSON.stringify({ q }) });
  const data = await res.json();
  box.innerHTML = data.reply; // expect: CF-JS-XSS-LLM
  const profile = await fetch("/api/profile");
  const me = await profile.json();
  box.innerHTML = me.bio; // expect: CF-JS-XSS
}
