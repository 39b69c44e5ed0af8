# labels: CWE-611
"""Parse partner product feeds with a SAX handler."""

import xml.sax
from xml.sax.handler import feature_external_ges

from fastapi import FastAPI, Request

api = FastAPI()


class ProductHandler(xml.sax.ContentHandler):
    def __init__(self):
        super().__init__()
        self.names = []

    def startElement(self, name, attrs):
        if name == "product":
            self.names.append(attrs.get("name"))


@api.post("/feeds")
async def upload_feed(request: Request):
    handler = ProductHandler()
    parser = xml.sax.make_parser()
    parser.setFeature(feature_external_ges, True)
    parser.setContentHandler(handler)
    parser.feed(await request.body())
    return {"products": handler.names}
