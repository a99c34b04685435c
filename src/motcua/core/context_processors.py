from django.conf import settings

import motcua


def site(request):
    return {"MOTCUA_VERSION": motcua.__version__, "MOTCUA_PRODUCTION": settings.PRODUCTION}
