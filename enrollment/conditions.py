"""The conditions of the CDC COVID-19 Vaccination Program Provider Agreement (Section A). Each is
acknowledged one by one; the codes are stored on the version that acknowledged them."""

from django.utils.translation import gettext_lazy as _

CONDITIONS = [
    ("acip", _("Administer COVID-19 vaccine in accordance with all requirements and recommendations of CDC and "
               "the Advisory Committee on Immunization Practices (ACIP).")),
    ("report_24h", _("Within 24 hours of administering a dose, record it and report the required data to the "
                     "jurisdiction's immunization information system (CVMS).")),
    ("no_sale", _("Not sell or seek reimbursement for COVID-19 vaccine, or for the adjuvant, syringes, needles or "
                  "other supplies the federal government provides without cost.")),
    ("ability_to_pay", _("Administer COVID-19 vaccine regardless of the recipient's ability to pay "
                         "administration fees or their coverage status.")),
    ("fact_sheet", _("Before vaccination, give each recipient the approved Emergency Use Authorization fact "
                     "sheet or vaccine information statement.")),
    ("storage", _("Store and handle COVID-19 vaccine under CDC guidance and the manufacturer's instructions, "
                  "monitoring storage unit temperatures at all times.")),
    ("vaers", _("Report moderate and severe adverse events following vaccination to the Vaccine Adverse Event "
                "Reporting System (VAERS).")),
    ("wastage", _("Report the number of doses of COVID-19 vaccine unused, spoiled, expired or wasted, as the "
                  "jurisdiction requires.")),
    ("record_card", _("Give every recipient a completed COVID-19 vaccination record card or proof of "
                      "vaccination.")),
    ("redistribution", _("Not redistribute or transfer vaccine to another location without the jurisdiction's "
                         "approval and, for redistribution, a signed redistribution agreement.")),
]

CONDITION_CODES = [code for code, _text in CONDITIONS]
