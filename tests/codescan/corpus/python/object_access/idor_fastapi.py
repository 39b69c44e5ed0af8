"""IDOR in FastAPI and Django handlers."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from fastapi import Depends, FastAPI

from .models import Document

api = FastAPI()
DOCUMENTS = {}


def get_current_user():
    return None


@api.get("/documents/{doc_id}")
def read_document(doc_id: str, user=Depends(get_current_user)):
    return DOCUMENTS[doc_id]  # expect: CF-PY-IDOR


@api.get("/my-documents/{doc_id}")
def read_my_document(doc_id: str, user=Depends(get_current_user)):
    document = DOCUMENTS[doc_id]  # ok: CF-PY-IDOR
    if document["owner"] != user.id:
        return {"error": "not found"}
    return document


@login_required
def document_view(request, document_id):
    document = get_object_or_404(Document, pk=document_id)  # expect: CF-PY-IDOR
    return document


@login_required
def my_document_view(request, document_id):
    document = get_object_or_404(Document, pk=document_id, owner=request.user)  # ok: CF-PY-IDOR
    return document
