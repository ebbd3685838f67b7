from helpdesk.kb_models import *  # noqa: E402,F401,F403
