"""assert used for security decisions."""


def delete_project(user, project):
    assert user.is_admin  # expect: CF-PY-ASSERT-SECURITY
    project.delete()


def transfer(request, amount):
    assert request.user.is_authenticated, "login required"  # expect: CF-PY-ASSERT-SECURITY
    assert amount > 0  # ok: CF-PY-ASSERT-SECURITY
    return amount


def read_document(current_user, document):
    assert document.owner_id == current_user.id  # expect: CF-PY-ASSERT-SECURITY
    return document


def webhook(payload, signature, verify_signature):
    assert verify_signature(payload, signature)  # expect: CF-PY-ASSERT-SECURITY
    return payload


def parse(items):
    assert isinstance(items, list)  # ok: CF-PY-ASSERT-SECURITY
    assert len(items) < 1000  # ok: CF-PY-ASSERT-SECURITY
    return items


def check_role(user):
    if not user.has_perm("billing.view"):  # ok: CF-PY-ASSERT-SECURITY
        raise PermissionError("forbidden")
