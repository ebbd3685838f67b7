import json
from pathlib import Path

import pytest
from jwcrypto import jwk

VECTORS = Path(__file__).parent / "vectors"
EXAMPLE_ISSUER = "https://spec.smarthealth.cards/examples/issuer"
EXAMPLE_JWKS = VECTORS / "valid" / "example-issuer-jwks.json"


@pytest.fixture
def example_issuer_trusted(settings):
    """The spec's example issuer trusted with its published key set, given as a file."""
    settings.CVMS_SHC_TRUSTED_ISSUERS = json.dumps({EXAMPLE_ISSUER: str(EXAMPLE_JWKS)})


@pytest.fixture
def signing_key(settings):
    """A signing key of this test's own, given inline as a private JWK."""
    key = jwk.JWK.generate(kty="EC", crv="P-256")
    settings.CVMS_SHC_SIGNING_KEY = key.export_private()
    settings.CVMS_SHC_ISSUER = "https://cvms.example.gov"
    return key
