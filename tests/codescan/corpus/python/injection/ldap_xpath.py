"""LDAP and XPath injection."""
import ldap
from ldap.filter import escape_filter_chars
from lxml import etree
from flask import Flask, request

app = Flask(__name__)
conn = ldap.initialize("ldap://directory")
tree = etree.parse("users.xml")


@app.route("/people")
def people():
    uid = request.args["uid"]
    conn.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, "(uid=" + uid + ")")  # expect: CF-PY-LDAP-INJECTION
    conn.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, f"(mail={request.args['mail']})")  # expect: CF-PY-LDAP-INJECTION
    conn.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, "(uid=%s)" % escape_filter_chars(uid))  # ok: CF-PY-LDAP-INJECTION
    conn.search_s("ou=" + request.args["ou"] + ",dc=example,dc=com", ldap.SCOPE_SUBTREE)  # expect: CF-PY-LDAP-INJECTION
    conn.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, "(objectClass=person)")  # ok: CF-PY-LDAP-INJECTION
    return "ok"


@app.route("/group/<group>")
def group(group):
    conn.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, "(cn={})".format(group))  # expect: CF-PY-LDAP-INJECTION
    if group not in ("staff", "admins"):
        return "no"
    conn.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, "(cn=" + group + ")")  # ok: CF-PY-LDAP-INJECTION
    return "ok"


@app.route("/user")
def user():
    name = request.args["name"]
    tree.xpath("//user[@name='" + name + "']")  # expect: CF-PY-XPATH-INJECTION
    tree.xpath(f"//user[@email='{request.args['email']}']")  # expect: CF-PY-XPATH-INJECTION
    tree.xpath("//user[@name=$name]", name=name)  # ok: CF-PY-XPATH-INJECTION
    etree.XPath("//role[@id='%s']" % request.args["role"])  # expect: CF-PY-XPATH-INJECTION
    tree.xpath("//user[@id=" + str(int(request.args["id"])) + "]")  # ok: CF-PY-XPATH-INJECTION
    tree.xpath("//user[@name='{}']".format(request.form["who"]))  # expect: CF-PY-XPATH-INJECTION
    tree.xpath("//user")  # ok: CF-PY-XPATH-INJECTION
    return "ok"
