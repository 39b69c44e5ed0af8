# labels: CWE-601
"""Django logout that honours a return address."""

from django.contrib.auth import logout
from django.http import HttpResponseRedirect


def logout_view(request):
    logout(request)
    return HttpResponseRedirect(request.GET.get("return_to", "/"))
