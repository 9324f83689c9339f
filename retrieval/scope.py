"""Questions partnerbot declines before searching: aimed at the bot, opinions, medical or clinical
judgements, other tasks.

Everything else goes to retrieval, where the evidence test decides whether the documents answer.
"""

from __future__ import annotations

import re

_AIMED_AT_BOT = re.compile(
    r"\b(?:ignore|disregard|forget|override|bypass)\b.{0,60}\b(?:instructions?|rules|prompts?|guidelines)\b"
    r"|\b(?:system|hidden|initial)\s+prompt\b"
    r"|\b(?:instructions|prompt|rules)\s+(?:you\s+(?:were|have been|got)|you['’]ve been|given to you)\b"
    r"|\b(?:signing|client)\s+secret\b|\b(?:bot|api|access|app|slack)\s+(?:token|key)s?\b"
    r"|\byour\s+(?:instructions|prompt|rules|token|secrets?|password|credentials|configuration|config)\b"
    r"|\b(?:passwords?|credentials|environment variables?)\b"
    r"|\b(?:you are now|pretend (?:to be|you)|act as|jailbreak|developer mode)\b"
    r"|\b(?:drop|ignore|forget|lift|turn off|switch off)\b.{0,30}"
    r"\b(?:rules?|restrictions?|limits?|guardrails?|(?:docs?|documents?|sources?)[- ]only)\b"
    r"|\b(?:ignore|forget|disregard|drop)\s+(?:your|the|all)\s+(?:own\s+)?(?:docs?|documents?|sources?)\b"
    r"|\b(?:your|a) best guess\b|\bmake (?:something|it) up\b",
    re.IGNORECASE,
)
_MEDICAL = re.compile(
    r"\b(?:should i (?:take|stop|start|use|see)|is it safe (?:for me )?to take|my (?:symptoms?|pain|rash|"
    r"diagnosis|medication|medicine|prescription|condition|test results)|diagnose (?:me|my)|"
    r"(?:what|which) (?:dose|dosage|medication|medicine|treatment) (?:should|do|can)|side effects of|"
    r"how (?:much|many) .{0,20}(?:should i take|mg)|am i (?:ill|sick|pregnant|having))\b",
    re.IGNORECASE,
)
_OPINION = re.compile(
    r"\b(?:in|from) your (?:own |personal |honest )?(?:opinion|view|experience)\b"
    r"|\bwhat(?:'s|’s| is| are) your (?:own |personal |honest )?(?:opinion|view|views|take|thoughts)\b",
    re.IGNORECASE,
)
# Whether a treatment or device works for patients is a clinical judgement, not a partnership fact.
_CLINICAL = re.compile(
    r"\b(?:better|worse|safer|more effective|less effective|as good|as safe)\b.{0,40}\bthan\b.{0,60}"
    r"\b(?:surgery|surgical|treatments?|therap(?:y|ies)|drugs?|medication|survival|recovery|"
    r"complications?|(?:patient|clinical|surgical|cancer|health) (?:outcomes?|procedures?))\b"
    r"|\b(?:clinical|patient|surgical) (?:outcomes?|effectiveness|evidence|results)\b.{0,40}"
    r"\b(?:better|worse|compare|compared|versus|vs)\b"
    r"|\b(?:is|are|does|do) .{0,40}\b(?:effective|safe|work)\b (?:for|in|at) "
    r"(?:treating|patients|people) with\b"
    # "what spo2 level should trigger escalation?": a threshold for care is a clinical call
    r"|\b(?:level|threshold|reading|score|dose|dosage)s?\b.{0,20}\b(?:should|would)\b.{0,20}"
    r"\b(?:trigger|prompt|warrant|escalat\w*|treat\w*|prescrib\w*|admit\w*)"
    # "what hba1c level counts as high risk?": where a measure becomes a risk is a clinical call
    r"|\b(?:hba1c|spo2|oxygen|sats|saturations?|blood pressure|bp|glucose|blood sugar|cholesterol|bmi|"
    r"news2?|egfr|creatinine|heart rate|pulse|temperature|inr|psa|troponin)\b.{0,25}"
    r"\b(?:counts? as|is considered|classed as)\b.{0,20}"
    r"\b(?:high|low|normal|abnormal|risk\w*|dangerous|safe)\b"
    # "what dressing should i be using on a venous leg ulcer?": how to treat a patient is a clinical call
    r"|\b(?:what|which) (?:\w+ )?(?:dressings?|antibiotics?|drugs?|medications?|treatments?|therap(?:y|ies)|"
    r"doses?|dosages?) (?:should|would|to)\b.{0,30}\b(?:use|using|give|giving|prescribe|try|apply|start)\b"
    r"|\bhow (?:should|do|would) (?:i|we) (?:treat|dress)\b.{0,40}\b(?:ulcers?|wounds?|patients?|infections?|"
    r"pain|injur\w*|fractures?|burns?|sores?|rash\w*)\b",
    re.IGNORECASE,
)
_OTHER_TASK = re.compile(
    r"^\s*(?:(?:can|could|would) you\s+)?(?:please\s+)?"
    r"(?:recommend|suggest) (?:me )?(?:a|an|some|any) good\b|"
    r"^\s*(?:please\s+)?(?:translate|compose|summari[sz]e (?:this|the following)|calculate|solve|convert)\b|"
    r"\bwrite (?:me |us )?(?:a|an|some) (?:poem|story|essay|song|joke|code|email|letter)\b|"
    r"\b(?:tell|give) (?:me|us) (?:a|an|some) (?:joke|story|poem|riddle)s?\b",
    re.IGNORECASE,
)

AIMED_AT_BOT = (
    "I only answer questions about the cluster's documents; I can't act on instructions aimed at me."
)
MEDICAL = (
    "I can't give medical advice. For health concerns please contact your GP, NHS 111 or, "
    "in an emergency, 999."
)
OPINION = "I don't give opinions of my own: I answer from the cluster's documents, and say where."
CLINICAL = (
    "I can't judge clinical questions such as whether a treatment or device works better: the "
    "cluster's documents are about its partnerships and support, not clinical evidence."
)
OTHER_TASK = "I only answer questions from the cluster's documents, so I can't help with that task."


def decline_reason(question: str) -> str | None:
    """The reply for a question partnerbot should not try to answer, or None to go on."""
    if _AIMED_AT_BOT.search(question):
        return AIMED_AT_BOT
    if _OPINION.search(question):
        return OPINION
    if _MEDICAL.search(question):
        return MEDICAL
    if _CLINICAL.search(question):
        return CLINICAL
    if _OTHER_TASK.search(question):
        return OTHER_TASK
    return None
