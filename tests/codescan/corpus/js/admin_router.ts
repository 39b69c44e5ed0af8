// Labelled corpus: routers. One is protected by router.use(auth); one has an unguarded admin path.
import { Router } from "express";
import { checkJwt } from "./middleware";
import { prisma } from "./prisma";

export const api = Router();
api.use(checkJwt);
api.get("/me", async (req, res) => res.json(req.user));
api.post("/settings", async (req, res) => res.json(await save(req.body)));

export const tools = Router();
tools.get("/status", (req, res) => res.send("up"));
tools.post("/admin/reindex", async (req, res) => { // expect: CF-JS-ROUTE-NO-AUTH
  const count = await prisma.$executeRawUnsafe(`REINDEX TABLE ${req.body.table}`); // expect: CF-JS-SQLI
  res.json({ count });
});
tools.get("/report", async (req, res) => {
  const rows = await prisma.$queryRaw`SELECT * FROM sales WHERE year = ${req.query.year}`;
  res.json(rows);
});
tools.get("/raw", async (req, res) => {
  const rows = await prisma.$queryRawUnsafe(`SELECT * FROM sales WHERE year = ${req.query.year}`); // expect: CF-JS-SQLI
  res.json(rows);
});
