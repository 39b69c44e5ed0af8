// Dangerous Express handlers: flagged without authentication whatever their path.
const express = require("express");
const { exec } = require("child_process");
const { requireAuth } = require("./auth");
const db = require("./db");

const app = express();

app.post("/run", (req, res) => { // expect: CF-JS-ROUTE-NO-AUTH
  exec("make deploy", (error, stdout) => res.send(stdout));
});

app.post("/run-protected", requireAuth, (req, res) => {
  exec("make deploy", (error, stdout) => res.send(stdout));
});

app.post("/signup", async (req, res) => {
  await db.users.create({ name: req.body.name });
  res.json({ ok: true });
});

async function saveNote(req, res) {
  await db.notes.create({ body: req.body.body });
  res.json({ ok: true });
}

app.post("/notes", saveNote); // expect: CF-JS-ROUTE-NO-AUTH

app.get("/notes", async (req, res) => { // expect: CF-JS-ROUTE-NO-AUTH
  res.json(await db.notes.findAll());
});
