// Labelled corpus: an Express API where some routes forgot the auth middleware.
const express = require("express");
const { requireAuth, requireAdmin } = require("./auth");
const db = require("./db");

const app = express();
const TABLE = "orders";

app.get("/health", (req, res) => res.send("ok"));
app.post("/login", async (req, res) => res.json(await login(req.body)));
app.get("/orders", requireAuth, async (req, res) => {
  const rows = await db.query(`SELECT * FROM ${TABLE} WHERE user_id = $1`, [req.user.id]);
  res.json(rows);
});
app.get("/orders/:id", requireAuth, async (req, res) => {
  const rows = await db.query(`SELECT * FROM orders WHERE id = ${req.params.id}`); // expect: CF-JS-SQLI
  res.json(rows);
});
app.post("/orders", async (req, res) => { // expect: CF-JS-ROUTE-NO-AUTH
  await db.query("INSERT INTO orders (item, qty) VALUES ($1, $2)", [req.body.item, req.body.qty]);
  res.sendStatus(201);
});
app.delete("/orders/:id", requireAuth, async (req, res) => {
  await db.query("DELETE FROM orders WHERE id = " + req.params.id); // expect: CF-JS-SQLI
  res.sendStatus(204);
});
app.get("/export", async (req, res) => { // expect: CF-JS-ROUTE-NO-AUTH
  const sql = "SELECT * FROM orders WHERE region = '" + req.query.region + "'";
  res.json(await db.query(sql)); // expect: CF-JS-SQLI
});
app.post("/admin/refunds", requireAuth, requireAdmin, async (req, res) => {
  const order = await db.one(sql`SELECT * FROM orders WHERE id = ${req.body.id}`);
  res.json(order);
});
app.get("/search", requireAuth, async (req, res) => {
  const term = req.query.q;
  const rows = await knex("orders").whereRaw(`item LIKE '%${term}%'`); // expect: CF-JS-SQLI
  const safe = await knex("orders").whereRaw("item LIKE ?", [`%${term}%`]);
  res.json([rows, safe]);
});

module.exports = app;
