"""Taint sinks: the calls (and call arguments) where untrusted data becomes dangerous.

:func:`find_sinks` maps one call to the argument expressions that must not carry taint, per
sink kind. Lookups are precompiled dictionaries keyed by resolved qualified name (``os.system``),
by method name (``.execute``) or by the class of the receiver (``requests.Session().get``).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from confiance.codescan.python.index import ModuleIndex
from confiance.codescan.python.llm import LLMApi, llm_call
from confiance.codescan.python.names import dotted, is_text, last_name
from confiance.codescan.python.taint import SinkKind

__all__ = ["Sink", "SinkHit", "find_sinks"]

K = SinkKind


@dataclass(frozen=True, slots=True)
class Sink:
    """``strong``: dangerous even with data of unknown origin (a parameter nobody in the module
    passes), so a scanner should still say so with low confidence. ``direct_only``: data stored
    inside a list does not count (an argument list for ``subprocess.run`` without a shell)."""

    kind: SinkKind
    label: str
    strong: bool = False
    direct_only: bool = False


@dataclass(frozen=True, slots=True)
class SinkHit:
    sink: Sink
    nodes: tuple[ast.expr, ...]


_Spec = tuple[Sink, tuple[int, ...], tuple[str, ...]]


def _s(
    kind: SinkKind,
    label: str,
    pos: tuple[int, ...] = (0,),
    kw: tuple[str, ...] = (),
    *,
    strong: bool = False,
) -> _Spec:
    return (Sink(kind, label, strong=strong), pos, kw)


def _table(
    kind: SinkKind,
    names: str,
    pos: tuple[int, ...] = (0,),
    kw: tuple[str, ...] = (),
    *,
    strong: bool = False,
) -> dict[str, list[_Spec]]:
    return {name: [_s(kind, name, pos, kw, strong=strong)] for name in names.split()}


_CALLS: dict[str, list[_Spec]] = {}


def _merge(*tables: dict[str, list[_Spec]]) -> None:
    for table in tables:
        for name, specs in table.items():
            _CALLS.setdefault(name, []).extend(specs)


_merge(
    _table(
        K.COMMAND,
        "os.system os.popen os.popen2 os.popen3 os.popen4 subprocess.getoutput "
        "subprocess.getstatusoutput commands.getoutput asyncio.create_subprocess_shell "
        "pty.spawn",
        kw=("cmd", "command"),
        strong=True,
    ),
    _table(
        K.COMMAND,
        "os.execl os.execle os.execlp os.execlpe os.execv os.execve os.execvp "
        "os.execvpe os.startfile asyncio.create_subprocess_exec",
        kw=("program",),
    ),
    _table(
        K.COMMAND,
        "os.spawnl os.spawnle os.spawnlp os.spawnlpe os.spawnv os.spawnve os.spawnvp os.spawnvpe",
        pos=(1,),
    ),
    _table(
        K.CODE,
        "eval exec compile builtins.eval builtins.exec builtins.compile execfile",
        kw=("source",),
        strong=True,
    ),
    _table(K.CODE, "importlib.import_module __import__", kw=("name",)),
    _table(
        K.TEMPLATE,
        "flask.render_template_string quart.render_template_string "
        "jinja2.Template mako.template.Template django.template.Template",
        kw=("source",),
    ),
    _table(K.XPATH, "lxml.etree.XPath lxml.etree.ETXPath", kw=("path",)),
    _table(
        K.PATH,
        "io.open codecs.open os.open aiofiles.open flask.send_file "
        "fastapi.responses.FileResponse starlette.responses.FileResponse tarfile.open "
        "zipfile.ZipFile",
        kw=("file", "path", "filename", "path_or_file", "name"),
    ),
    _table(
        K.PATH,
        "os.remove os.unlink os.rmdir os.removedirs os.listdir os.scandir os.stat "
        "os.chmod os.chown os.makedirs os.mkdir os.rename os.replace shutil.copy "
        "shutil.copy2 shutil.copyfile shutil.copytree shutil.move shutil.rmtree",
        pos=(0, 1),
        kw=("path", "src", "dst"),
    ),
    _table(
        K.FILE_WRITE,
        "os.remove os.unlink os.rmdir os.removedirs os.chmod os.chown "
        "os.rename os.replace shutil.rmtree",
        pos=(0, 1),
        kw=("path",),
    ),
    _table(
        K.FILE_WRITE,
        "shutil.copy shutil.copy2 shutil.copyfile shutil.copytree shutil.move",
        pos=(1,),
        kw=("dst",),
    ),
    _table(
        K.SSRF,
        "requests.get requests.post requests.put requests.patch requests.delete "
        "requests.head requests.options httpx.get httpx.post httpx.put httpx.patch "
        "httpx.delete httpx.head httpx.options urllib.request.urlopen urllib.urlopen "
        "urllib2.urlopen urllib.request.urlretrieve",
        kw=("url",),
    ),
    _table(K.SSRF, "requests.request httpx.request httpx.stream", pos=(1,), kw=("url",)),
    _table(K.SSRF, "aiohttp.request urllib3.request", pos=(1,), kw=("url",)),
    _table(
        K.SSRF,
        "urllib.request.Request http.client.HTTPConnection http.client.HTTPSConnection "
        "socket.create_connection ftplib.FTP smtplib.SMTP",
        kw=("url", "host", "address"),
    ),
    _table(
        K.REGEX,
        "re.compile re.search re.match re.fullmatch re.findall re.finditer re.sub re.subn "
        "re.split regex.compile regex.search regex.match regex.fullmatch regex.findall "
        "regex.sub regex.split",
        kw=("pattern",),
    ),
    _table(K.SIZE, "range", pos=(0, 1)),
    _table(K.SIZE, "time.sleep asyncio.sleep bytearray bytes", kw=("secs", "delay")),
    _table(K.SIZE, "itertools.repeat", pos=(1,), kw=("times",)),
    _table(
        K.SIZE,
        "concurrent.futures.ThreadPoolExecutor concurrent.futures.ProcessPoolExecutor "
        "multiprocessing.Pool",
        kw=("max_workers", "processes"),
    ),
    _table(
        K.REDIRECT,
        "flask.redirect quart.redirect werkzeug.utils.redirect "
        "django.shortcuts.redirect django.http.HttpResponseRedirect "
        "django.http.HttpResponsePermanentRedirect starlette.responses.RedirectResponse "
        "fastapi.responses.RedirectResponse aiohttp.web.HTTPFound "
        "aiohttp.web.HTTPSeeOther",
        kw=("url", "location", "to"),
    ),
    _table(
        K.XSS,
        "markupsafe.Markup flask.Markup jinja2.Markup "
        "django.utils.safestring.mark_safe django.utils.safestring.SafeString",
    ),
    _table(
        K.DESERIALIZE,
        "pickle.loads pickle.load cPickle.loads cPickle.load _pickle.loads "
        "_pickle.load marshal.loads marshal.load dill.loads dill.load cloudpickle.loads "
        "cloudpickle.load jsonpickle.decode shelve.open joblib.load pandas.read_pickle",
        kw=("data", "file", "filename", "string"),
        strong=True,
    ),
    _table(
        K.XXE,
        "xml.etree.ElementTree.fromstring xml.etree.ElementTree.XML "
        "xml.etree.ElementTree.parse xml.etree.ElementTree.iterparse "
        "xml.etree.cElementTree.fromstring xml.etree.cElementTree.parse "
        "xml.dom.minidom.parseString xml.dom.minidom.parse xml.dom.pulldom.parseString "
        "xml.dom.pulldom.parse xml.sax.parseString xml.sax.parse lxml.etree.fromstring "
        "lxml.etree.XML lxml.etree.parse lxml.etree.iterparse lxml.objectify.fromstring "
        "lxml.objectify.parse lxml.objectify.XML xml.dom.expatbuilder.parseString "
        "xml.dom.expatbuilder.parse",
        kw=("source", "text"),
    ),
    _table(
        K.SQL,
        "pandas.read_sql pandas.read_sql_query django.db.models.expressions.RawSQL "
        "django.db.models.RawSQL",
        kw=("sql",),
        strong=True,
    ),
    _table(
        K.SYSTEM_PROMPT,
        "langchain_core.messages.SystemMessage "
        "langchain.schema.SystemMessage langchain_core.prompts.SystemMessagePromptTemplate."
        "from_template langchain.schema.messages.SystemMessage",
        kw=("content", "template"),
    ),
)

_RESPONSES = frozenset(
    {
        "flask.Response",
        "flask.make_response",
        "werkzeug.wrappers.Response",
        "django.http.HttpResponse",
        "fastapi.responses.HTMLResponse",
        "starlette.responses.HTMLResponse",
    }
)
_SUBPROCESS = frozenset(
    {f"subprocess.{n}" for n in ("run", "call", "check_call", "check_output", "Popen")}
)
_OPEN = frozenset({"open", "builtins.open"})
_SQL_METHODS = frozenset({"execute", "executemany", "executescript", "exec_driver_sql"})
_PATH_METHODS = frozenset(
    {"read_text", "read_bytes", "write_text", "write_bytes", "unlink", "rmdir", "touch", "open"}
)
_WRITE_METHODS = frozenset({"write_text", "write_bytes", "unlink", "rmdir"})
# Method names only pathlib uses; the others (open, unlink...) need evidence of a Path receiver.
_PATHLIB_ONLY = frozenset({"read_text", "read_bytes", "write_text", "write_bytes"})
_LDAP_METHODS = frozenset({"search", "search_s", "search_st", "search_ext", "search_ext_s"})
_SESSION_CLASSES = frozenset(
    {
        "requests.Session",
        "requests.sessions.Session",
        "httpx.Client",
        "httpx.AsyncClient",
        "aiohttp.ClientSession",
        "urllib3.PoolManager",
    }
)
_HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})
_MASS_METHODS = frozenset({"create", "update", "update_or_create", "get_or_create", "bulk_create"})
_LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"}
)
_LOGGER = re.compile(r"(?:^|[._])(?:log|logger|logging|LOG|LOGGER)$")
_HEADER_METHODS = frozenset({"add_header", "set_header", "putheader"})
_SIZE_METHODS = frozenset({"limit", "read", "recv", "zfill", "ljust", "rjust", "center"})
# Receivers whose ``.execute()`` is SQL: cursors, connections, sessions, engines, databases.
_SQL_BUILDERS = frozenset({"text", "format", "join", "SQL"})
_SQL_RECEIVER = re.compile(
    r"cur|conn|db|database|session|engine|sql|transaction|psycopg|dbapi|^c$|^tx$|\.c$", re.I
)


def find_sinks(node: ast.Call, qual: str | None, index: ModuleIndex) -> list[SinkHit]:
    """The sinks a call is, with the argument expressions each one guards."""
    hits: list[SinkHit] = []
    if qual is not None:
        for sink, pos, kw in _CALLS.get(qual, ()):
            _add(hits, sink, _select(node, pos, kw))
        if qual in _SUBPROCESS:
            _subprocess(node, qual, hits)
        elif qual in _OPEN:
            _open(node, hits)
        elif qual in _RESPONSES:
            _response(node, qual, hits)
        elif qual == "torch.load" and not _keyword_is(node, "weights_only", True):
            _add(hits, Sink(K.DESERIALIZE, qual, strong=True), _select(node, (0,), ("f",)))
        elif qual == "numpy.load" and _keyword_is(node, "allow_pickle", True):
            _add(hits, Sink(K.DESERIALIZE, qual, strong=True), _select(node, (0,), ("file",)))
    if isinstance(node.func, ast.Attribute):
        _methods(node, node.func, index, hits)
    _mass_assignment(node, qual, index, hits)
    _system_prompt(node, index, hits)
    return hits


def _add(hits: list[SinkHit], sink: Sink, nodes: list[ast.expr]) -> None:
    if nodes:
        hits.append(SinkHit(sink, tuple(nodes)))


def _select(node: ast.Call, pos: tuple[int, ...], kw: tuple[str, ...]) -> list[ast.expr]:
    chosen = [node.args[i] for i in pos if i < len(node.args)]
    chosen += [k.value for k in node.keywords if k.arg in kw]
    return [c.value if isinstance(c, ast.Starred) else c for c in chosen]


def _keyword(node: ast.Call, name: str) -> ast.expr | None:
    for keyword in node.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def _keyword_is(node: ast.Call, name: str, value: object) -> bool:
    found = _keyword(node, name)
    return isinstance(found, ast.Constant) and found.value is value


def _subprocess(node: ast.Call, qual: str, hits: list[SinkHit]) -> None:
    shell = _keyword(node, "shell")
    uses_shell = shell is not None and not (isinstance(shell, ast.Constant) and not shell.value)
    command = _select(node, (0,), ("args",))
    if not command:
        return
    first = command[0]
    if uses_shell:
        _add(hits, Sink(K.COMMAND, f"{qual}(shell=True)", strong=True), command)
    elif isinstance(first, ast.List | ast.Tuple):
        if first.elts and not isinstance(first.elts[0], ast.Starred):
            _add(hits, Sink(K.COMMAND, f"{qual} program"), [first.elts[0]])
    else:
        _add(hits, Sink(K.COMMAND, f"{qual} program", direct_only=True), command)


def _open(node: ast.Call, hits: list[SinkHit]) -> None:
    target = _select(node, (0,), ("file",))
    _add(hits, Sink(K.PATH, "open"), target)
    mode = node.args[1] if len(node.args) > 1 else _keyword(node, "mode")
    if (
        isinstance(mode, ast.Constant)
        and isinstance(mode.value, str)
        and set(mode.value) & set("wax+")
    ):
        _add(hits, Sink(K.FILE_WRITE, f"open(mode={mode.value!r})"), target)


def _response(node: ast.Call, qual: str, hits: list[SinkHit]) -> None:
    _add(hits, Sink(K.HEADER, f"{qual}(headers=...)"), _select(node, (), ("headers",)))
    for name in ("mimetype", "content_type", "media_type"):
        value = _keyword(node, name)
        if isinstance(value, ast.Constant) and "html" not in str(value.value):
            return
    _add(hits, Sink(K.XSS, qual), _select(node, (0,), ("response", "content", "body")))


def _methods(node: ast.Call, func: ast.Attribute, index: ModuleIndex, hits: list[SinkHit]) -> None:
    attr = func.attr
    if attr in _SQL_METHODS and _sql_receiver(node, func.value, index):
        _add(
            hits,
            Sink(K.SQL, f".{attr}()", strong=True),
            _select(node, (0,), ("sql", "statement", "operation", "query")),
        )
    elif attr == "raw" and "objects" in (dotted(func.value) or ""):
        _add(hits, Sink(K.SQL, "Manager.raw()", strong=True), _select(node, (0,), ("raw_query",)))
    elif attr == "xpath":
        _add(hits, Sink(K.XPATH, ".xpath()"), _select(node, (0,), ("_path",)))
    elif attr == "from_string" and index.imports.imports_any(frozenset({"jinja2", "django"})):
        _add(hits, Sink(K.TEMPLATE, "Environment.from_string()"), _select(node, (0,), ("source",)))
    elif attr == "exec_command":
        _add(
            hits, Sink(K.COMMAND, ".exec_command()", strong=True), _select(node, (0,), ("command",))
        )
    elif attr in _LDAP_METHODS and index.imports.imports_any(frozenset({"ldap", "ldap3"})):
        _add(
            hits,
            Sink(K.LDAP, f".{attr}()"),
            _select(node, (0, 1, 2), ("filterstr", "search_filter", "search_base", "base")),
        )
    if attr in _PATH_METHODS and (attr in _PATHLIB_ONLY or _is_path_receiver(func.value, index)):
        _add(hits, Sink(K.PATH, f"Path.{attr}()"), [func.value])
        if attr in _WRITE_METHODS:
            _add(hits, Sink(K.FILE_WRITE, f"Path.{attr}()"), [func.value])
    _log_header_size(node, func, hits)
    receiver_class = _receiver_class(func.value, index)
    if receiver_class in _SESSION_CLASSES:
        if attr in _HTTP_VERBS:
            _add(hits, Sink(K.SSRF, f"{receiver_class}.{attr}"), _select(node, (0,), ("url",)))
        elif attr == "request":
            _add(hits, Sink(K.SSRF, f"{receiver_class}.request"), _select(node, (1,), ("url",)))


def _sql_receiver(node: ast.Call, receiver: ast.expr, index: ModuleIndex) -> bool:
    """Whether ``receiver.execute(...)`` runs SQL: the receiver is named or built like a
    cursor, connection, session or engine, or the statement is evidently text. A service
    object's ``execute(plan)`` is not SQL."""
    name = dotted(receiver) or ""
    if isinstance(receiver, ast.Call):
        name = dotted(receiver.func) or ""
    elif name in index.instances:
        name = index.instances[name][0]
    if _SQL_RECEIVER.search(name):
        return True
    statement = _select(node, (0,), ("sql", "statement", "operation", "query"))
    return bool(statement) and is_text(statement[0], _SQL_BUILDERS)


def _log_header_size(node: ast.Call, func: ast.Attribute, hits: list[SinkHit]) -> None:
    attr, receiver = func.attr, dotted(func.value) or ""
    if attr in _LOG_METHODS and _LOGGER.search(receiver):
        start = 1 if attr == "log" else 0
        chosen = [*node.args[start:], *(k.value for k in node.keywords if k.arg in ("msg",))]
        message = node.args[start] if len(node.args) > start else None
        if (
            isinstance(message, ast.Constant)
            and "%r" in str(message.value)
            and "%s" not in str(message.value)
        ):
            chosen = [message]  # arguments are logged through repr(): line breaks escaped
        _add(hits, Sink(K.LOG, f"{receiver}.{attr}()"), chosen)
    elif attr in _HEADER_METHODS or (
        attr in ("add", "set", "setdefault", "__setitem__") and receiver.endswith("headers")
    ):
        _add(hits, Sink(K.HEADER, f"response header ({attr})"), _select(node, (1,), ("value",)))
    elif attr in _SIZE_METHODS:
        _add(hits, Sink(K.SIZE, f".{attr}()"), _select(node, (0,), ("n", "size", "width")))


def _is_path_receiver(receiver: ast.expr, index: ModuleIndex) -> bool:
    if isinstance(receiver, ast.Call):
        return last_name(receiver.func) in ("Path", "PurePath", "joinpath", "resolve", "absolute")
    if isinstance(receiver, ast.BinOp) and isinstance(receiver.op, ast.Div):
        return True
    name = dotted(receiver)
    if name and name in index.instances:
        return index.instances[name][0].rpartition(".")[2] in ("Path", "PurePath")
    return False


def _receiver_class(receiver: ast.expr, index: ModuleIndex) -> str | None:
    if isinstance(receiver, ast.Call):
        return index.imports.qualname(receiver.func)
    name = dotted(receiver)
    if name and name in index.instances:
        return index.instances[name][0]
    return None


def _mass_assignment(
    node: ast.Call, qual: str | None, index: ModuleIndex, hits: list[SinkHit]
) -> None:
    func = node.func
    splats = [k.value for k in node.keywords if k.arg is None]
    if splats:
        name = last_name(func)
        is_class = name[:1].isupper() and name not in index.validation_models
        if is_class or (isinstance(func, ast.Attribute) and name in _MASS_METHODS):
            _add(hits, Sink(K.MASS_ASSIGN, f"{name}(**...)"), splats)
    if (
        isinstance(func, ast.Attribute)
        and func.attr == "update"
        and (dotted(func.value) or "").endswith("__dict__")
    ):
        _add(hits, Sink(K.MASS_ASSIGN, "__dict__.update()"), _select(node, (0,), ()))
    if qual == "setattr":
        _add(hits, Sink(K.MASS_ASSIGN, "setattr()"), _select(node, (1,), ()))


def _system_prompt(node: ast.Call, index: ModuleIndex, hits: list[SinkHit]) -> None:
    if not index.llm or not node.keywords:
        return
    names = {"system_instruction"}
    api = llm_call(node, index.imports)
    if api is LLMApi.ANTHROPIC or api is LLMApi.LITELLM:
        names.add("system")
    if api is LLMApi.OPENAI_RESPONSES:
        names.add("instructions")
    chosen = [k.value for k in node.keywords if k.arg in names]
    _add(hits, Sink(K.SYSTEM_PROMPT, "system prompt"), chosen)
