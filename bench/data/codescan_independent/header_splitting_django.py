# labels: CWE-113
"""Language preference cookie echo."""

from django.http import HttpResponse


def set_language(request):
    response = HttpResponse("ok")
    response["Content-Language"] = request.GET.get("lang", "en")
    return response
