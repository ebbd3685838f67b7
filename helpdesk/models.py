from helpdesk.registration_models import *  # noqa: F403
