// Labelled corpus: a React chat widget that calls OpenAI from the browser.
import OpenAI from "openai";
import DOMPurify from "dompurify";
import { marked } from "marked";

const openai = new OpenAI({
  apiKey: "sk-proj-oYmJFw2rBXwwljvEqYIrKi_bDripN9ISEO1HJON_b7KOe7JMwOZYx6IuRCdv0i8fiJgz7YNAyL", // expect: CF-SECRET-OPENAI, CF-JS-LLM-CLIENT-KEY
  dangerouslyAllowBrowser: true, // expect: CF-JS-LLM-BROWSER
});
const fromEnv = new OpenAI({ apiKey: process.env.NEXT_PUBLIC_OPENAI_API_KEY }); // expect: CF-JS-LLM-PUBLIC-ENV

export function Answer({ html }) {
  return <div className="answer" dangerouslySetInnerHTML={{ __html: html }} />; // expect: CF-JS-XSS
}

export async function ask(question, target) {
  const completion = await openai.chat.completions.create({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: question }],
    max_tokens: 400,
  });
  const answer = completion.choices[0].message.content;
  target.innerHTML = marked.parse(answer); // expect: CF-JS-XSS-LLM
  const clean = DOMPurify.sanitize(marked.parse(answer));
  target.innerHTML = clean;
  target.textContent = answer;
  target.innerHTML = "<p>Thinking...</p>";
  return <section dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(answer) }} />;
}

export function Streamed({ chunk, out }) {
  out.insertAdjacentHTML("beforeend", chunk.choices[0].delta.content); // expect: CF-JS-XSS-LLM
}
