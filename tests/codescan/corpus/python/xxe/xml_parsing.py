"""XML external entities."""
import xml.etree.ElementTree as ET
from xml.dom import minidom
from xml.sax import make_parser
from xml.sax.handler import feature_external_ges

import defusedxml.ElementTree as SafeET
from flask import Flask, request
from lxml import etree

app = Flask(__name__)


@app.post("/import")
def import_xml():
    root = ET.fromstring(request.data)  # expect: CF-PY-XXE
    doc = minidom.parseString(request.get_data())  # expect: CF-PY-XXE
    tree = etree.fromstring(request.files["doc"].read())  # expect: CF-PY-XXE
    safe = SafeET.fromstring(request.data)  # ok: CF-PY-XXE
    print(root, doc, tree, safe)
    return "ok"


def local_file():
    return ET.parse("config.xml")  # ok: CF-PY-XXE


parser = etree.XMLParser(resolve_entities=True)  # expect: CF-PY-XXE
network_parser = etree.XMLParser(no_network=False)  # expect: CF-PY-XXE
hardened = etree.XMLParser(resolve_entities=False, no_network=True)  # ok: CF-PY-XXE
sax = make_parser()
sax.setFeature(feature_external_ges, True)  # expect: CF-PY-XXE
sax.setFeature(feature_external_ges, False)  # ok: CF-PY-XXE
