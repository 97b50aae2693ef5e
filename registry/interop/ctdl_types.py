"""The CTDL classes an import reads as listings, and the registry credential type of each.

Every CTDL credential class (each class whose `rdfs:subClassOf` chain reaches
`ceterms:Credential` in `contexts/ctdl-schema.json`; a test keeps the two in step) and the
learning opportunities. The classes the export writes, and `ceterms:Course`, are exact
matches; every other class becomes the nearest registry type, with a note naming it.
"""

from __future__ import annotations

from typing import Any

from registry.domain.enums import CredentialType
from registry.interop import ctdl
from registry.interop.ctdl_values import many

MICRO = CredentialType.MICRO_CREDENTIAL.value
BADGE = CredentialType.DIGITAL_BADGE.value
CERTIFICATE = CredentialType.CERTIFICATE.value
COURSE = CredentialType.COURSE.value

EXACT: dict[str, str] = {node: kind for kind, node in ctdl.TYPES.items()} | {"ceterms:Course": COURSE}
_CERTIFICATES = (
    "AcademicCertificate ApprenticeshipCertificate BasicTechnicalCertificate Certificate CertificateOfCompletion "
    "CertificateOfParticipation GeneralEducationLevel1Certificate GeneralEducationLevel2Certificate "
    "HigherEducationLevel1Certificate HigherEducationLevel2Certificate JourneymanCertificate MasterCertificate "
    "PostBaccalaureateCertificate PostMasterCertificate PreApprenticeshipCertificate ProfessionalCertificate "
    "ProficiencyCertificate SecondaryEducationCertificate TechnicalLevel1Certificate TechnicalLevel2Certificate "
    "TechnicalLevel3Certificate WorkBasedLearningCertificate"
)
# Degrees, diplomas, licences and certifications: no registry type is near; a certificate
# (a record of achievement) is the nearest.
_OTHER_CREDENTIALS = (
    "AssociateDegree AssociateOfAppliedArtsDegree AssociateOfAppliedScienceDegree AssociateOfArtsDegree "
    "AssociateOfScienceDegree BachelorDegree BachelorOfArtsDegree BachelorOfScienceDegree Certification Credential "
    "Degree Diploma DoctoralDegree GeneralEducationDevelopment License MasterDegree MasterOfArtsDegree "
    "MasterOfScienceDegree ProfessionalDoctorate QualityAssuranceCredential ResearchDoctorate "
    "SecondarySchoolDiploma SpecialistDegree"
)
NEAREST: dict[str, str] = {
    **{f"ceterms:{name}": CERTIFICATE for name in f"{_CERTIFICATES} {_OTHER_CREDENTIALS}".split()},
    "ceterms:MicroCredential": MICRO,
    "ceterms:Badge": BADGE,
    "ceterms:DigitalBadge": BADGE,
    "ceterms:OpenBadge": BADGE,
    "ceterms:LearningProgram": COURSE,
    "ceterms:LearningOpportunityProfile": COURSE,
}
SUPPORTED = set(EXACT) | set(NEAREST)


def registry_type(node: Any) -> tuple[str, str] | None:
    """(registry credential type, the CTDL class it comes from) of an object of a supported
    class; None for anything else."""
    types = [t for t in many(node.get("@type")) if isinstance(t, str)] if isinstance(node, dict) else []
    for name in types:
        if name in EXACT:
            return EXACT[name], name
    for name in types:
        if name in NEAREST:
            return NEAREST[name], name
    return None


def is_supported(node: Any) -> bool:
    return registry_type(node) is not None
