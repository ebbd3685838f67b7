from recipient_portal.claim_forms import ClaimFindForm


class RegisterForm(ClaimFindForm):
    """Legal names and date of birth: the record a signed-up account registers."""
