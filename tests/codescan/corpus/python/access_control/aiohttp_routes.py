"""aiohttp handlers registered by call and by RouteTableDef."""
import asyncio

from aiohttp import web

routes = web.RouteTableDef()


async def reboot(request):  # expect: CF-PY-UNAUTHENTICATED-ACTION
    await asyncio.create_subprocess_exec("systemctl", "reboot")
    return web.json_response({"ok": True})


async def status(request):  # ok: CF-PY-UNAUTHENTICATED-ACTION
    return web.json_response({"ok": True})


@routes.post("/restart")
async def restart(request):  # expect: CF-PY-UNAUTHENTICATED-ACTION
    await asyncio.create_subprocess_exec("systemctl", "restart", "app")
    return web.json_response({"ok": True})


async def guarded_reboot(request):  # ok: CF-PY-UNAUTHENTICATED-ACTION
    if request.headers.get("X-Token") != request.app["token"]:
        raise web.HTTPUnauthorized()
    await asyncio.create_subprocess_exec("systemctl", "reboot")
    return web.json_response({"ok": True})


app = web.Application()
app.router.add_post("/reboot", reboot)
app.router.add_get("/status", status)
app.router.add_post("/guarded-reboot", guarded_reboot)
app.add_routes(routes)
