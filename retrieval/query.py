"""What a question asks for: its kind (who, when, how many…), its terms, and its conversation.

The kind shapes the answer: "when" wants a date, "how much" an amount, "what's X's email" a contact.
A question whose kind needs something no passage holds is not answered: naming the entity asked
about is not answering it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import Enum
from functools import cached_property

from retrieval.conversation import Turn
from retrieval.lexicon import Lexicon
from retrieval.text import MONTHS, tokens


class Kind(Enum):
    OPEN = "open"
    WHO = "who"
    WHEN = "when"
    NUMBER = "number"
    AMOUNT = "amount"
    CONTACT = "contact"
    BYLINE = "byline"  # who wrote a document, when it was published, for whom
    ROUTE = "route"  # where to start, whom to ask: a named body, programme or contact
    PERSON = "person"  # "who's the contact at LAHP? need a name": a named person, or how to reach them


_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|(?:thir|four|fif|six|seven|eigh|nine)teen|"
    r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
    r"hundreds?|thousands?|millions?|billions?|dozens?|decades?|half|quarter|third|double|twice"
)
_NAME = r"[A-Z][a-z]+(?:[-'’][A-Z][a-z]+)?"
_ROLE = (
    r"(?:Chief|Head|Director|Deputy|Manager|Lead|Chair|Officer|Co-?ordinator|Professor|Founder|CEO|"
    r"Secretary|Minister|Lecturer|Consultant)"
)
# Someone by name: a title before it, a role after it ("Jo-Anne Wass is Chief Operating Officer"), or
# a role or a way to reach them before it ("Programme manager Priya Raman", "contact Liz Harker").
_NAMED_PERSON = (
    rf"\b(?:Dr|Prof|Professor|Sir|Dame|Mr|Mrs|Ms|Cllr|Councillor)\.? {_NAME}|"
    rf"\b(?!(?:The|Chief|Senior|Digital|Health|Healthtech|Innovation|Foundation|Regional)\b){_NAME} "
    rf"(?:[A-Z]\. )?{_NAME}(?=,? (?:(?:is|was|as|our|the|their|its|a|an|who is|now) )*{_ROLE}\b)|"
    r"\b(?:[Mm]anager|[Ll]ead|[Dd]irector|[Cc]hair|[Oo]fficer|[Cc]o-?ordinator|[Ff]ounder|Author:|"
    rf"contact|[Ww]ritten by|[Ss]peak to|[Cc]all|[Ee]mail|[Cc]haired by|[Ll]ed by) {_NAME} {_NAME}|"
    rf"^{_NAME} {_NAME}: "  # the author of a sentence in the first person, as an answer shows it
)
_REACHED = r"[\w.+-]+@[\w-]+\.[\w.]+|(?<!\w)@\w{2,}|\bhttps?://|\bwww\.|\+?\d[\d ]{8,}\d"
# What each kind needs to find in a sentence for it to be an answer.
EVIDENCE = {
    Kind.WHEN: re.compile(  # the verb "may" is no month: "products may be a better fit"
        rf"\b(?:{MONTHS.replace('May|', '')})\b|\b(?-i:May)\b|\b(?:1[89]|20)\d{{2}}\b|"
        r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)days?\b|"
        r"\b\d{1,2}(?:[:.]\d{2})?\s?(?:am|pm)\b|\b(?:spring|summer|autumn|winter|annual|quarterly|"
        r"weekly|monthly|yesterday|today|last (?:week|month|year)|next (?:week|month|year))\b",
        re.IGNORECASE,
    ),
    Kind.NUMBER: re.compile(rf"\d|\b(?:{_NUMBER_WORDS})\b", re.IGNORECASE),
    Kind.AMOUNT: re.compile(r"[£$€]\s?\d|\b\d[\d,.]*\s?(?:k|m|bn|million|billion|pounds?)\b", re.IGNORECASE),
    # who wrote it, for whom, when it went up: the by-line, a "Date:"/"Author:" field, or the text
    # saying where it first appeared; not any sentence that shares the question's words
    Kind.BYLINE: re.compile(
        rf"\b(?:wr(?:ote|itten|iting)|author(?:ed|s)?|published|posted|(?:first )?appeared|republished|"
        rf"re-?posted|reprinted|featured|report to|dated|director|on behalf of)\b|\bdate:|"
        rf"\b(?:{MONTHS.replace('May|', '')})\b|\b(?-i:May)\b|\b(?:19|20)\d{{2}}\b",
        re.IGNORECASE,
    ),
    Kind.CONTACT: re.compile(_REACHED, re.IGNORECASE),
    Kind.PERSON: re.compile(f"{_NAMED_PERSON}|{_REACHED}"),
}
_HOURS = re.compile(
    r"\b(?:opening|visiting|office|surgery) (?:hours|times)\b|\bwhat (?:hours|times) (?:is|are|does|do)\b",
    re.IGNORECASE,  # "what hours is it staffed?"
)
_TIME_OF_DAY = re.compile(
    r"\b\d{1,2}(?:[:.]\d{2})?\s?(?:am|pm)\b|\b\d{1,2}[:.]\d{2}\b|\b(?:noon|midday)\b", re.IGNORECASE
)
_ASKS_LIMIT = re.compile(  # "whats the max award?", "how much can one grant be?": what bounds a sum
    r"\b(?:max|maximum|most (?:you|u|we|i|one) can|upper limit|cap)\b|"
    r"\bhow (?:much|big) (?:can|could|is|are) (?:one|a single|each|an? individual) (?:grant|award|project)\b|"
    r"\b(?:per|each) (?:grant|award|project|company|applicant)\b",
    re.IGNORECASE,
)
_ASKS_SHARE = re.compile(r"\b(?:proportion|percentage|per ?cent|fraction|what share)\b|%", re.IGNORECASE)
_SHARE = re.compile(  # "two thirds of these companies", "92% of patients", "9 of the 12", "one in five"
    r"\d\s?%|\bper ?cent\b|\b(?:half|thirds?|quarters?|fifths?|tenths?|majority|minority)\b|"
    rf"\b(?:\d+|{_NUMBER_WORDS}) (?:of|in|out of) (?:the |every |each )?(?:\d+|{_NUMBER_WORDS})\b",
    re.IGNORECASE,
)
_LIMIT = re.compile(  # a sum with what bounds it: "up to £30,000", "Maximum per project: £60,000"
    r"^(?=[\s\S]*\b(?:up to|maximum|max|at most|no more than|capped|cap|ceiling|limit|between)\b)"
    rf"[\s\S]*(?:{EVIDENCE[Kind.AMOUNT].pattern})",
    re.IGNORECASE,
)
_NAMES_MONTH = re.compile(  # the verb "may" is no month; "May" is
    r"\b(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b|\bMay\b(?! (?:I|we|you)\b)"  # not "May I ask…"
)
_ASKS_DAY = re.compile(
    r"\bwhat (?:exact |precise |actual )?day\b|\bwhich day\b|\b(?:exact|precise|actual) date\b", re.IGNORECASE
)
_DAY = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{MONTHS})\b|\b(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b|"
    r"\b(?!24/7)\d{1,2}/\d{1,2}\b|\b(?:mon|tues|wednes|thurs|fri|satur|sun)days?\b",
    re.IGNORECASE,
)
# Asked for one way of reaching someone, another is no answer: an email does not give a phone number.
_CHANNELS = (  # the first asked wins: "the email for the Safe AI call" asks for an email
    (re.compile(r"\be-?mail\b", re.I), re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")),
    (
        re.compile(
            r"\b(?:phone|telephone|tel|mobile|direct line|ring)\b|\bcall (?:them|him|her|someone)\b", re.I
        ),
        # +44 … or 0113 …: a number to dial, not "2023 - 2024"
        re.compile(r"(?<![\d(])(?:\+\d|\(?0\d)[\d ()-]{8,}\d"),
    ),
    (
        re.compile(r"\b(?:twitter|handle|x account|linkedin|mastodon|bluesky)\b", re.I),
        re.compile(r"(?<![\w.])@\w{2,}|\blinkedin\.com/", re.I),
    ),
    (re.compile(r"\b(?:web ?site|web page|url|link)\b", re.I), re.compile(r"\bhttps?://|\bwww\.", re.I)),
    (  # a place to go: a postcode or a street, not a web page
        re.compile(r"\baddress\b", re.I),
        re.compile(
            r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b|"
            r"\b\d+\w? [A-Z]\w+ (?:Street|Road|Lane|Way|Avenue|Place|Square|Row)\b"
        ),
    ),
)

_CONTACT = re.compile(
    # "do i just email them all?", "or do i just email trusts?" ask no address
    r"\b(?:(?<!just )(?<!\bto )e-?mail(?: address)?"
    r"(?! (?:them|him|her|us|you|it|all|each|every\w*|round|around)\b)|"
    r"(?<!up the )phone|telephone|direct line|mobile number|"
    r"(?:phone|contact) number|contact details|postal address|twitter|linkedin|"
    r"(?:(?:twitter|social(?: media)?|insta\w*|x|their|his|her|its|the) )handle|handle (?:for|of)|"
    r"web ?site address|url|mailing list)\b|"
    # "is there a number i can ring for the navigator?" asks its number; "… i can just ring?" a way in
    r"\bnumber (?:i|we|u|you) (?:can|could) (?:just )?(?:ring|call)(?= (?:for|at|on) )|"
    r"\b(?:the|an|their|its|office|street) address\b|\baddress (?:for|of)\b",  # the noun, not "address X"
    re.IGNORECASE,
)
# Someone named before: "can i just ring them?" asks for their number; "anyone up north who does
# evals, and how do i get hold of them?" first asks who, then how to reach them: a way in.
_REACH_THEM = re.compile(
    r"\b(?:reach|get hold of|get in touch with|contact|ring|phone)\s+(?:them|him|her|it|the team)\b", re.I
)
_ANYONE_WHO = re.compile(r"\b(?:any|some)(?:one|body) (?:\w+ ){0,6}?who\b", re.IGNORECASE)
# Reaching someone, as partners say it: "who do I ping", "who should we be talking to"
_REACH = r"(?:ping|contact|ask|(?:talk|speak|chat)(?:ing)? to|email|call|approach|go to)"
# "who chairs the panel?", "who's the director at Calderbridge?": a person in that role
_ROLE_ASKED = re.compile(
    r"\bwho (chair|head)s\b|\bwho(?:['’]?s| is) (?:the |their |its )?(director|chair|head|ceo|manager)\b",
    re.IGNORECASE,
)
_OWN_CONTACT = "".join(  # "ive got a contact at the uni" asks for no one; "do you have a contact?" does
    f"(?<!{h} )"
    for h in ("ive got", "i've got", "i’ve got", "weve got", "we've got", "we’ve got", "i have", "we have")
)
_ASKS_PERSON = re.compile(  # a name, not a body: "who's our named contact there? need a person"
    # "need a contact at LAHP", not "ive got a contact at the uni"
    rf"{_OWN_CONTACT}\b(?:named|the|our|a|main|right) (?:(?!\d)\w+ ){{0,3}}"
    r"(?:contact|person|individual)\b"
    r"(?! (?:details|number|form|page))|\bneed (?:a|the) name\b|\bwho at\b|\bperson not\b|"
    rf"{_ROLE_ASKED.pattern}|"
    # "is there someone at LAHP …", "someone i can ring", "the named testbed coordinator": a person
    rf"\bsomeone (?:at\b|(?:i|we|u) (?:can|could) (?:\w+ )?(?:ring|dm|message|{_REACH}))|"
    r"\bnamed (?:\w+ ){0,3}?(?:co-?ordinator|lead|manager|officer|advis[eo]r|champion)\b",
    re.IGNORECASE,
)
# "anything that doesnt cost a fortune?" asks no sum
_NOT_COST = "".join(
    f"(?<!{n} )"
    for n in ("not", "doesnt", "doesn't", "doesn’t", "dont", "don't", "don’t", "wont", "won't", "won’t")
)
_AMOUNT = re.compile(
    r"\bhow much (?:money|cash|funding|grant|investment|did|does|do|is|was|will|has|have|can|could|would)\b|"
    r"\b(?:max|maximum) (?:award|grant|funding|amount|per|(?:you|u|we|i) can (?:get|claim|apply for))\b|"
    rf"\bbudget\b|\bspend\b|\bspent\b|{_NOT_COST}\bcost\b|\bprice\b|\bfees?\b|\bworth\b|£|"
    r"\b(?:the|a|what|whats|what's|what’s) (?:\w+ )?(?:salary|wage|day rate)\b|"  # not "cover salaries?"
    # who gave the most, or what someone chipped in: a comparison or a contribution needs the sums
    r"\b(?:most|least|more|less) (?:money|cash|funding)\b|"
    r"\b(?:chip(?:ped)? in|contribut\w*|put in|gave|give|paid|pay)\b.{0,20}\bfinancially\b",
    re.IGNORECASE,
)
# "how much did appointments drop by?" asks a change, a figure of any kind ("22% fewer"), not a sum,
# and "how is the scoring weighted - how much is on evidence?" a share
_CHANGED = re.compile(
    r"\bhow much (?:did|does|do|has|have|had|was|is|will)\b[^?]{0,80}?\b(?:drop|dropped|fall|fell|fallen|"
    r"rise|rose|risen|increase|increased|decrease|decreased|go down|went down|gone down|go up|went up|"
    r"gone up|change|changed|improve|improved|grow|grew|shrink|shrank)\b|\bweight(?:s|ed|ing|ings)?\b",
    re.IGNORECASE,
)
_ASKS_WHEN = re.compile(r"^\s*(?:and |so )?whens?\b", re.IGNORECASE)  # "when's", "whens" too
# "how does it want the NHS to pitch itself: as a cost?" asks a manner; "how much does it cost?" a sum
_ASKS_HOW_OR_WHY = re.compile(
    r"^\s*(?:and |so )?(?:why\b|how (?:does|do|did|is|are|was|were|can|could|should|would|will)\b)",
    re.IGNORECASE,
)
# A measure: "what temp does it run at?", "what is the boiling point of water?", "what were the
# readmission rates?". A number in a sentence on another subject is no answer: it must hold a word
# of what is measured.
_MEASURE = re.compile(
    r"\bwhat(?:['’]?s| is| was)? (?:the )?"
    r"(?:temp|temperature|boiling point|freezing point|speed|weight|capacity)\b|"
    r"\b(?:what|which)(?:['’]?s| is| are| was| were)? (?:the )?(?:\w+ )?rates?\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"\bhow (?:many|much|big|large|long|often|old)\b|\bwhat (?:percentage|proportion|share|number|%)|"
    r"\bwhat per ?cent\b|\b(?:number|percentage|proportion) of\b|%|"
    # "what cut do the inventors get?", "what were the readmission rates?": a share is a number
    r"\bwhat(?:['’]?s| is)? (?:the )?(?:\w+ )?(?:cut(?![- ]?off)|split|ratio)\b|"
    rf"{_MEASURE.pattern}",
    re.IGNORECASE,
)
_WHEN = re.compile(
    r"^\s*(?:and |so )?whens?\b|\bwhen (?:is|was|did|does|do|will|are|were|'s|’s)\b|^\s*when's\b|"
    r"\bwhat(?:'s|’s|s| is| was| are)? (?:the )?(?:exact |precise |actual )?(?:date|year|month|day|time)s?\b"
    r"(?! commitment| needed| required| involved)|\bwhich (?:year|month|date)\b|"  # time spent is no date
    r"\b(?:exact|precise|actual) date\b|"
    rf"\bdate (?:on|of)\b|\b(?:timescales?|time ?frames?|timelines?|deadlines?|cut[- ]?off)\b|"
    rf"{_HOURS.pattern}|\b(?:closing|opening|start|end|launch|submission) dates?\b",
    re.IGNORECASE,
)
_ROUTE_ASKED = (  # how a partner asks for a way in: the asking, not what it is about
    r"\bwhere (?:do|should|can|would) (?:i|we|staff|people|they) (?:even |best |actually )?"
    r"(?:start|begin|go|turn|send|submit|take)\b|\bsomewhere to (?:send|submit|flag|raise|report|take)\b|"
    rf"\bwho (?:(?:do|should|can|could|would) (?:i|we)|(?:i|we) (?:should|can|could|need to)|"
    rf"(?:are|am) (?:i|we) (?:\w+ )?(?:meant|supposed) to(?: be)?) "
    rf"(?:\w+ ){{0,2}}{_REACH}\b|"
    rf"\bwho to {_REACH}\b|"
    r"\bwho (?:can |could )?(?:help|helps|handles|deals with)\b|\bwho (?:does|do|can do) (?:that|this)"
    r"(?=(?: kind of thing| sort of thing)?(?: (?:in|for|round|around|up|near|across) [^?]{1,30})?\s*[?!.])|"
    r"\bwho(?:['’]?s| is) (?:the |a )?(?:best |right )?(?:person|contact|people|someone)\b|"
    r"\bhow (?:do|can) (?:i|we) (?:get|find|reach|approach|access)\b|\bwhere (?:do|can) (?:i|we) find\b|"
    r"\b(?:way in|point of contact)\b|\bpick(?:ing)? up the phone\b|"
    r"\b(?:one|single) (?:place|route|door|point of (?:contact|entry))\b|"  # "is there one place …?"
    # "no idea where to start", "a number i can just ring to get pointed the right way"
    r"\bwhere to (?:start|begin|go|turn|send|take)\b|\bsignpost|"
    r"\bpoint(?:ed)? (?:me |us )?(?:in )?the right\b|"
    r"\b(?:someone|somebody|anyone|number|person|place|who|where)\b[^?.]{0,30}?\b(?:i|we|u) (?:can|could) "
    r"(?:just )?(?:ring|call|phone|ping|email|contact|talk to|speak to)\b|"
    r"\b(?:can|could) (?:i|we|u) (?:just )?(?:talk|speak|chat) to (?:someone|somebody|anyone)\b|"
    r"\bsomewhere (?:\w+ ){0,3}(?:can|could) (?:send|submit|flag|raise|report|take)\b|"
    # "do i really have to email every board separately?": asks for the one way in
    r"\b(?:have|need|got) to (?:\w+ )?(?:email|contact|approach|ring|call|go to) (?:every|each|all)\b|"
    # "is there a network of sites that does that?", "are there any sessions for GPs?": a named way in
    r"\b(?:is there (?:a|an|any)|are there(?: any)?) (?:\w+ )?(?:network|scheme|programme|program|"
    r"service|course|training|group|hub|forum|body|helpline|desk|get[- ]together|meet[- ]?up|event|"
    r"roundtable|session)s?\b(?! (?:charge|fee|cost|budget|deadline)s?\b)"
)
_ROUTE = re.compile(rf"{_ROUTE_ASKED}|\bfront door\b", re.IGNORECASE)
_ASKER_WANTS = re.compile(
    rf"{_ROUTE_ASKED}|"
    r"\b(?:i|we)['’]d like(?:\s+to)?\b|\b(?:no|any) (?:idea|clue)s?\b|\bnot sure\b|"
    r"\b(?:i|we|and)\s+(?:really\s+|just\s+)?(?:want|wanna|need|would like)(?:\s+to)?\b|"
    r"\b(?:i['’]?m|we['’]re|i am|we are)\s+(?:looking|trying|hoping)\s+to\b|"
    r"\b(?:trying|try|tryna) to (?:work out|figure out|find out|understand)\b|"
    # "what year did it go out?" asks for a date: "This year's …" in a title, or "will go further"
    # in a passage, is no answer
    r"\b(?:what|which)\s+(?:year|month|day|date)\b|\b(?:go|goes|went|gone|come|came) (?:up|out|live)\b",
    re.IGNORECASE,
)
_WHO = re.compile(
    r"\bwho(?:m|se|s|'s|’s)?\b|\bwhich (?:organi[sz]ation|body|group|company|person)\b|"
    r"\b(?:his|her|their)\s+(?:\w+\s+)?(?:role|job|title|position)\b",  # "what's her actual role?"
    re.I,
)
_BYLINE = re.compile(
    r"\bwho (?:\w+ )?(?:wrote|writes|authored|penned|published|signed off|put together|prepared|drafted)\b|"
    r"\bwho(?:['’]s| is) behind\b|\bauthor\b|\bwritten by\b|"
    r"\bby (?:someone|somebody|whom)\b|\bwhose (?:blog|article|piece|paper|report|post)\b|"
    r"\b(?:go|went|goes) (?:up|out|live)\b(?! to\b)|\bcome out\b|\bcame out\b|\bpublished\b|\bdate on\b|"
    r"\bwritten for\b|\brepost|"
    r"\bwhen\b[^?,]*\b(?:blog|article|piece|paper|report|post)\b[^?,]{0,12}\b(?:out|released|issued)\b",
    re.IGNORECASE,
)
# Asking what happened after a plan, or how things stand since: a document that says what "will"
# happen does not answer it, nor one that only names the subject.
_OUTCOME = re.compile(
    r"\bin the end\b|\bend(?:ed)? up\b|\bso far\b|\bto date\b|\bpushed back\b|\bgo(?:ne)? ahead\b|"
    r"\bthese days\b|\bmoved on\b|\bright now\b|"
    r"\bsince (?:it|they|then|the \w+) (?:launched|started|began|opened)\b|"
    r"\bonce it (?:was|had been)\b|"
    r"\b(?:did|has|have) (?:it|they|that|this|the (?:\w+ ){0,3}\w+) (?:ever |actually |really )?"
    r"(?:happen(?:ed)?|get|got|been|hit|meet|reach|achieve|cut|reduce|bring|lower|improve|work)\b|"
    r"\bactually (?:happen|adopt|approv|agree|sign|publish|launch|deliver)\w*|"
    # "did the falls sensors actually cut admissions?": whether it worked, whatever the verb
    r"^\W*(?:(?:and|so|but) )?(?:did|has|have)\b[^?.!]*\b(?:actually|really)\b",
    re.IGNORECASE,
)
_HOW_MANY = re.compile(r"\bhow many ((?:\S+\s+){0,3})", re.IGNORECASE)
# "when do apps close?", "by when do we get apps in?": applications, not software
_APPLICATIONS = re.compile(
    r"\bapps\b(?=(?: for [^?.,;]{1,60}?)? (?:close|closes|closing|shut|shuts|open|opens|opening|due)\b)|"
    r"(?:(?<=\bget )|(?<=\bsend )|(?<=\bput ))apps(?= in\b)",
    re.IGNORECASE,
)
# "…, and how many of them were based in GM?": a share of what was counted before
_OF_THOSE = re.compile(r"\bhow many of (?:them|those|these)\b", re.IGNORECASE)
# A question, perhaps after its topic or the asker: "safe ai in care - whats the max …", "uni
# researcher in leeds - we've got a prototype, where can we test it?"
_WH = r"(?:who|whos|whom|whose|what|whats|where|wheres|when|whens|why|whys|how|hows|which)"
# between "and" and what asks: "…, and approx how many residents?", "and from how many providers?"
_HEDGE = r"(?:(?:approx|approximately|roughly|about|around|just|also|then) |from (?=how many|which))?"
_ASKS = re.compile(  # after a comma only a wh-word asks: "thanks, any pointers appreciated" is a remark
    # "ward sister in bradford, heard the fund has a pot. how much can one grant be": a question after
    # what the asker tells, in the same piece
    rf"^\s*(?:(?:[^?]{{1,120}}?\s[-–:]\s+|[^?]{{1,240}}?[.!]\s+)?(?:and |so |but |also )?{_HEDGE}"
    rf"(?:{_WH}|is|are|was|were|do|does|did|can|"
    rf"could|should|would|will|has|have|any)|[^?]{{1,120}}?,\s+(?:and |so |but )?{_HEDGE}{_WH})\b",
    re.IGNORECASE,
)
# Where a message's questions part: "…? …", "…; …", "… and how much …"
_PIECES = re.compile(
    rf"\?+\s*|;\s+|,?\s+and\s+(?={_HEDGE}(?:who|what|when|where|how|which)s?\b)|"
    r",\s+and\s+(?=[^?.]*?\bhow (?:many|much)\b)",  # "…, and if we got to phase 2 how much could …"
    re.IGNORECASE,
)
_OPENS_ASKING = re.compile(rf"^\s*(?:and |so |but )?{_HEDGE}{_WH}\b", re.IGNORECASE)
_EITHER = re.compile(r"\s+or\s+", re.IGNORECASE)
# What the asker tells before the question: "the wharfedale pilot with the phone wound photo app -
# how many nurses took part?" asks no phone number; "we do remote kit, based in wakefield. … - how
# many pts …?" asks nothing about Wakefield.
_TOLD = re.compile(
    rf"^[^?]{{1,240}}?(?:\s[-–:]\s+|[.!]\s+)(?=(?:and |so |but |also )?{_WH}\b)", re.IGNORECASE
)
# How an asker introduces themselves: "we're a newcastle startup - …", "manchester SME here - …",
# "OT at a derby trust with an idea - …", "ward sister in WY, …" (a role in the first few words;
# not "the digital lead at WY ICB - who is it?", which asks about that lead)
_ASKER_ROLE = (
    r"(?:ot|gp|nurse|sister|matron|midwife|physio|pharmacist|clinician|consultant|doctor|dr|manager|lead|"
    r"director|exec|ceo|cto|coo|founder|owner|researcher|academic|lecturer|student|officer|startup|"
    r"start-up|sme|company|firm|team|supplier|vendor|comms|communications|press|marketing|head|admin|"
    r"grad|graduate|colleague|boss|chair|band ?\d[a-d]?)s?"  # "band 8a at a wy trust, …": an NHS grade
)
_GREETING = (  # "hi all, we're a startup in leeds - …"
    r"(?:(?:hi|hey|hello|hiya|morning|afternoon|evening)(?: (?:all|everyone|folks|team|there))?[!,.]*\s+)?"
)
_INTRO = re.compile(
    rf"^\s*{_GREETING}(?:(?:i['’]?m|we['’]re|i am|we are)\s+(?:a|an|based|from|in|at)\s[^-–:,?]{{1,80}}|"
    rf"[^-–:,?]{{1,60}}\shere|"
    rf"(?!the\b)(?:an? )?(?:[\w&'’-]+\s){{0,3}}?{_ASKER_ROLE}\s(?:at|in|from|for|with|of)\s[^-–:,?]{{1,80}})"
    r"\s*[-–:,]\s+",
    re.IGNORECASE,
)
# Whom the asker asks for: "our head of product wants to …", "one of our admin team …"
_COLLEAGUE = re.compile(
    rf"^\s*{_GREETING}(?:my|our|one of (?:my|our)) (?:[\w&'’-]+ ){{0,2}}?{_ASKER_ROLE}(?: of [\w&'’-]+)?\b",
    re.IGNORECASE,
)
_ASIDE = re.compile(r"\([^()]*\)")  # "a prototype (TRL6 ish)": said in passing, not asked about
_BASED = re.compile(r"\b[\w&'’]+[- ]based\b|\bbased (?:in|at|out of) [\w&'’]+", re.IGNORECASE)
_SAYS_ANYTHING = re.compile(
    r"\b(?:say|says|said|saying|mention|mentions|mentioning|talk|talks|talking) (?:anything )?(?:about|on)\b|"
    r"\bsay anything\b",
    re.I,
)
_LISTED = re.compile(r"\b(?:and )?which ones\b|\bname them\b|\blist them\b", re.IGNORECASE)
# Words that say what kind of answer is wanted ("how big", "what budget"), not what it is about.
KIND_WORDS = frozenset(
    tokens(
        "big large long often old many much number numbers percentage proportion share date dates year "
        "years month months day days time times hour hours budget cost costs price spend spent fee fees "
        "amount total overall pot worth value cash money pay paid charge charged allocate allocated "
        "earmark earmarked put aside get got receive claim "
        "people person ppl "  # "the fee for ppl like me": "per person"
        "spring summer autumn winter"  # "this autumn": when, not what
    )
)
# Counting time is answered by any span of it: "how many years" by "a decade".
TIME_UNITS = frozenset({"year", "month", "week", "day", "hour", "decade"})
# Thanks for the last reply first: "ta. when's the cut off for the next intake?" asks when.
_THANKS = re.compile(
    r"^\s*(?:ta|thanks|thank you|thx|cheers|great|perfect|brill|lovely|nice one|ok|okay)\b[\s.!,:;-]*",
    re.IGNORECASE,
)
# "it", "that", "they" … or an opening "and"/"so" or thanks: the question leans on what came before.
_LEANS_BACK = re.compile(
    r"^\s*(?:and|so|but|also|what about|how about|then)\b|\b(?:it|its|that|this|they|them|their|those|"
    rf"these|there|he|she|his|her|him)\b|{_THANKS.pattern}",
    re.IGNORECASE,
)


Name = tuple[frozenset[str], ...]  # the ways of writing one name: "wy", or "west" and "yorkshire"


@dataclass(frozen=True)
class Part:
    """One question of a message ("does it take equity? how much cash do you get?" holds two)."""

    text: str
    kind: Kind
    names: tuple[tuple[Name, ...], ...]  # options ("X or Y?" has two), each the names it needs
    words: tuple[Name, ...]  # every word that carries meaning, each as its ways of being written
    counted: Name = ()  # "how many jobs": a number answers only next to "jobs" (in one of its ways)
    outcome: bool = False  # "did it get adopted in the end?": what happened, which no plan answers

    @property
    def needs(self) -> re.Pattern[str] | None:
        """What a sentence must hold to answer this part: a date for "when", the asked-for channel
        for a contact ("what's her phone number?" is not answered by an email address)."""
        if self.kind is Kind.WHEN and (_NAMES_MONTH.search(self.text) or _ASKS_DAY.search(self.text)):
            return _DAY  # "what date in feb?" is not answered by "in February", "what day's it?" by "annual"
        if self.kind is Kind.WHEN and _HOURS.search(self.text):
            return _TIME_OF_DAY  # "what are the visiting hours?" wants times, not a year
        if self.kind in (Kind.AMOUNT, Kind.NUMBER) and _ASKS_LIMIT.search(self.text):
            return _LIMIT  # "whats the max award?" is not answered by the whole fund's budget
        if self.kind is Kind.NUMBER and _ASKS_SHARE.search(self.text):
            return _SHARE  # "what proportion have under 10 staff?" is not answered by "410 companies"
        if self.kind is Kind.CONTACT:
            for asked, channel in _CHANNELS:
                if asked.search(self.text):
                    return channel
        return EVIDENCE.get(self.kind)

    @cached_property
    def terms(self) -> frozenset[str]:
        """The part's own terms, made once: every sentence read is checked against them."""
        return frozenset(self.ordered_terms)

    @cached_property
    def ordered_terms(self) -> tuple[str, ...]:
        """The same in the order asked: "when does the open call close?" asks when it closes."""
        return tuple(tokens(self.text))

    @property
    def on_topic(self) -> bool:
        """Whether an answer must hold a word of what is asked beyond what the part names: a date
        or a sum ("when do applications close?" is not answered by when an agreement was signed),
        or a measure ("what's the boiling point of water?" is not answered by a steriliser's 134°C),
        or which of those counted before ("how many of them were based in GM?" is not answered by
        how many there were)."""
        return self.kind in (Kind.WHEN, Kind.AMOUNT) or bool(
            self.kind is Kind.NUMBER and (_MEASURE.search(self.text) or _OF_THOSE.search(self.text))
        )

    @property
    def month(self) -> re.Pattern[str] | None:
        """The month a "when" part names ("what day in march…"): a day in another month is no answer."""
        found = _NAMES_MONTH.search(self.text) if self.kind is Kind.WHEN else None
        if not found:
            return None
        full = next(m for m in _MONTH_NAMES if m.startswith(found.group(0)[:3].lower()))
        return re.compile(rf"\b(?:{full}|{full[:3]})\b", re.IGNORECASE)


_MONTH_NAMES = "january february march april may june july august september october november december".split()


@dataclass(frozen=True)
class Query:
    asked: str  # the question as written
    search: str  # short forms spelled out, misspellings mended: what the keyword index is searched with
    slots: tuple[Name, ...]  # per word of the question, its ways of being written
    kind: Kind
    parts: tuple[Part, ...]
    context: str = ""  # the earlier question a follow-up leans on
    context_slots: tuple[Name, ...] = ()
    context_docs: tuple[str, ...] = ()
    context_words: frozenset[str] = frozenset()  # the earlier question's own terms, not spelled out
    previous_reply: str = ""
    home_slots: tuple[Name, ...] = ()  # the home place a way in is sought in, unless named
    documents: tuple[Described, ...] = ()  # documents named by description: "the jan board paper"

    @property
    def embedded(self) -> str:
        """What the question is embedded as: a follow-up carries the question it leans on."""
        return f"{self.context} {self.search}" if self.context else self.search


def analyse(question: str, lexicon: Lexicon, history: Sequence[Turn] = (), home: str = "") -> Query:
    """`home`: the place a partner means when asking for a way in without naming one ("where do I
    start?" asked of the West Yorkshire cluster's assistant means in West Yorkshire)."""
    asked, question = question, _APPLICATIONS.sub("applications", question)
    search = lexicon.expand(question)
    for term in tokens(search):
        if (right := lexicon.correct(term)) != term:
            search += f" {right}"
    parts = _parts_of(question, lexicon)
    kind = parts[0].kind  # "whos the front door up there and how do we reach them?" asks for a way in first
    if kind is Kind.OPEN and any(p.kind is Kind.ROUTE for p in parts):
        kind = Kind.ROUTE  # "is there a programme for that? who do i talk to": a way in
    at_home = home and kind in (Kind.ROUTE, Kind.PERSON) and not _names_somewhere(question, lexicon)
    if at_home:
        search += f" {home}"
    turn = history[-1] if history else None
    leans_back = turn is not None and (_LEANS_BACK.search(question) or len(tokens(question)) <= 3)
    meant = _people_meant(question, turn, lexicon) if leans_back and turn else ""
    return Query(
        asked=asked,
        search=search,
        slots=tuple(lexicon.words_in(f"{_asking_words_out(question)} {meant}")),
        kind=kind,
        parts=parts,
        home_slots=tuple(lexicon.words_in(home)) if at_home else (),
        context=lexicon.expand(turn.question) if leans_back and turn else "",
        context_slots=tuple(lexicon.words_in(turn.question)) if leans_back and turn else (),
        context_docs=turn.doc_ids[:1] if leans_back and turn else (),  # the lead source: the subject
        context_words=frozenset(tokens(turn.question)) if leans_back and turn else frozenset(),
        previous_reply=turn.reply if leans_back and turn else "",
        documents=_described(question, lexicon),
    )


@dataclass(frozen=True)
class Described:
    """A document named by what it is ("the jan board paper", "rob's guest blog": `words`, the last
    the noun) or by its title in quotes."""

    words: tuple[Name, ...]
    quoted: bool = False


def _described(question: str, lexicon: Lexicon) -> tuple[Described, ...]:
    found = [
        Described(tuple(words))
        for match in _NAMED_DOCUMENT.finditer(question)
        if len(
            words := lexicon.words_in(
                re.sub(r"^(?:the|that|this|their|his|her|its|your|ur)\s", "", match.group(0), flags=re.I)
            )
        )
        >= 2
    ]
    found += [
        Described(tuple(words), quoted=True)
        for match in _QUOTED.finditer(question)
        if len(words := lexicon.words_in(match.group(1))) >= 3
    ]
    return tuple(found)


# "the jan board paper", "that HSJ piece", "the LAHP blog": a document named by what it is and a word
# or three that tell it from the others (a word alone, "the strategy", is a subject, not a document)
_NAMED_DOCUMENT = re.compile(
    r"\b(?:(?:the|that|this|their|his|her|its|your|ur)\s+|"
    r"(?!(?:who|what|where|when|how|why|it|that|there|here|he|she|let)['’]s)[\w-]+['’]s\s+)"  # "rob's"
    r"(?:[\w&'’.-]+\s+){0,3}?"
    r"(?:paper|report|blog|post|article|piece|audit|faq|mou|agreement|minutes|case study|survey|review|"
    r"strategy|update|guide|profile|newsletter|briefing)\b",
    re.IGNORECASE,
)
# a title in quotes: "the 'digital health strategy for all' blog"
_QUOTED = re.compile(r"(?:^|(?<=\s))['‘\"“]((?:[^'’\"”]|(?<=\w)['’](?=\w)){12,}?)['’\"”](?=\W|$)")


def _names_somewhere(question: str, lexicon: Lexicon) -> bool:
    """Whether the question names something particular to look in, the asker's own place included
    ("we're a newcastle startup"): a name most passages hold ("the NHS") does not."""
    usual = 0.2 * lexicon.most_used
    named = {t for name in lexicon.names_in(question) for way in name for t in way}
    return any(lexicon.vocabulary.get(t, 0) < usual for t in named)


def _people_meant(question: str, turn: Turn, lexicon: Lexicon) -> str:
    """Whom "she", "his" means: the people the reply before named ("who wrote it?" → "X wrote it" →
    "what's her role?" asks X's role, as if X were named)."""
    if not _PERSON.search(question):
        return ""
    return " ".join(p for p in lexicon.people if p in turn.reply)


_PERSON = re.compile(r"\b(?:he|she|his|her|him|hers)\b", re.IGNORECASE)


def _asking_words_out(question: str) -> str:
    """The question less how it asks: "where do I start", "I want to" say what the partner is doing,
    not what the answer is about, so no sentence should score for repeating them; nor do the
    thanks a follow-up opens with ("ta. …")."""
    return _ASKER_WANTS.sub(" ", _THANKS.sub("", question, count=1))


def kind_of(question: str) -> Kind:
    """The strongest need first: contact details and amounts are the near misses that hurt."""
    question = _THANKS.sub("", question, count=1)
    if _SAYS_ANYTHING.search(question):
        return Kind.OPEN  # "does it say anything about how long people live?": what it says, not a number
    if _LISTED.search(question):
        return Kind.WHO if _WHO.search(question) else Kind.OPEN  # "how many, and which ones?": names
    if _CONTACT.search(_asked(question)):
        return Kind.CONTACT
    if _REACH_THEM.search(question):
        return Kind.ROUTE if _ANYONE_WHO.search(question) else Kind.CONTACT
    if _BYLINE.search(question):
        return Kind.BYLINE
    if _ASKS_PERSON.search(question):
        return Kind.PERSON
    if _ASKS_WHEN.search(question):
        return Kind.WHEN  # "when's the autumn budget?": the first word asks, the rest names the event
    if _AMOUNT.search(question) and not _ASKS_HOW_OR_WHY.search(question) and not _CHANGED.search(question):
        return Kind.AMOUNT
    if _NUMBER.search(question):
        return Kind.NUMBER
    if _WHEN.search(question):
        return Kind.WHEN
    if _ROUTE.search(question):
        return Kind.ROUTE
    if _WHO.search(question):
        return Kind.WHO
    return Kind.OPEN


def _parts_of(question: str, lexicon: Lexicon) -> tuple[Part, ...]:
    texts = _parts(question)
    if len(texts) == 1:  # one question, perhaps with a remark: the whole message says what kind
        kind = kind_of(question)
        return (replace(_part(texts[0], lexicon, kind), kind=kind, outcome=_asks_outcome(question)),)
    parts = [_part(text, lexicon, kind_of(text)) for text in texts]
    for i, part in enumerate(parts[1:], 1):
        if not part.counted and _OF_THOSE.search(part.text):  # "… and how many of them were …?"
            parts[i] = replace(part, counted=parts[i - 1].counted)
    return tuple(parts)


def _part(text: str, lexicon: Lexicon, kind: Kind) -> Part:
    """What the part names leaves out how the asker introduces themselves: "we're a newcastle
    startup - who's the front door up in the north east?" asks about the North East. Asking who
    someone is ("CEO of Leeds Teaching Hospitals - who is that?"), it is what is asked about.

    A place named may be found as the region it lies in ("any funding for a startup in bradford?"
    is answered by a grant for West Yorkshire), unless a figure or a date is asked of it: the
    region's count is not the place's ("how many of the firms are in bradford?"). Asking whom to talk to, a
    number names nothing but a year or a numbered thing: "we're a 6 person co" is about the asker."""
    asks_who = kind in (Kind.WHO, Kind.PERSON) and not _ROUTE.search(text)
    named = text if asks_who else _COLLEAGUE.sub(" ", _INTRO.sub("", text, count=1), count=1)
    named = _ASIDE.sub(" ", named)  # "(TRL6 ish)", "the academy (the one for staff, not the accelerator)"
    if kind in (Kind.ROUTE, Kind.PERSON):  # "we're leeds based but want trusts in newcastle"
        named = _BASED.sub(" ", named)
    elif told := _TOLD.match(named):  # "how many firms are based in bradford?" asks about Bradford
        named = _BASED.sub(" ", told.group(0)) + named[told.end() :]
    regions = kind not in (Kind.NUMBER, Kind.AMOUNT, Kind.WHEN)
    counts = kind not in (Kind.ROUTE, Kind.PERSON, Kind.WHO)
    sides = [side for side in _EITHER.split(named) if side.strip()]
    if told := _TOLD.match(named):  # "medtech in salford, eyeing the irwell accelerator. how much …?"
        asked = named[told.end() :]  # where the asker tells of is found as its region, whatever is asked
        found = lexicon.names_in(told.group(0), True, counts) + lexicon.names_in(asked, regions, counts)
    else:
        found = lexicon.names_in(named, regions, counts)
    options = [tuple(dict.fromkeys(found))]
    if len(sides) > 1:  # "is it by someone at the LEP or from the NHS side?": either will do
        # a side naming nothing ("… or did it get pushed back?") is about what the other side names
        options += [names for side in sides if (names := tuple(lexicon.names_in(side, regions, counts)))]
    # "i'm product lead at a co - what does X cost?", "… been trading 2 yrs. how much could we get?":
    # what the asker tells of themselves is no word the answer must hold
    words = tuple(lexicon.words_in(_asked(named)))
    return Part(text, kind_of(text), tuple(options), words, _counted(text, lexicon), _asks_outcome(text))


def _asks_outcome(question: str) -> bool:
    return _OUTCOME.search(question) is not None


def _asked(question: str) -> str:
    """The question without what the asker tells before it, unless the question is only a pointer
    to it ("sarahs email - what is it?")."""
    asked = _TOLD.sub("", question, count=1)
    return asked if tokens(asked) else question


def _counted(question: str, lexicon: Lexicon) -> Name:
    """What "how many" counts: its first word that carries meaning, or the plural that heads the
    phrase ("how many problem statements" counts statements), in each way it may be written ("PCNs"
    is "pcn", or the words of "primary care network"); or the role "who chairs" asks for.

    A word the corpus never uses ("how many peeps") cannot be required beside the number: nothing
    could hold it.
    """
    role = _ROLE_ASKED.search(question)
    if role:  # "who chairs the panel?": the chair is named, not anyone the panel's paper names
        return lexicon.ways(role.group(1) or role.group(2))
    match = _HOW_MANY.search(question)
    if not match:
        return ()
    # the words that carry meaning up to the next that does not ("how many of the firms in …")
    phrase = list(
        itertools.takewhile(tokens, itertools.dropwhile(lambda w: not tokens(w), match.group(1).split()))
    )
    heads = phrase[:1] + [word for word in phrase[1:] if word.lower().endswith("s")][-1:]
    ways = [way for word in heads for way in lexicon.ways(word)]
    return tuple(dict.fromkeys(way for way in ways if any(t in lexicon.vocabulary for t in way)))


def _asks(piece: str, question: str) -> bool:
    """A piece is a question of its own when it asks with two words, or with one and a kind ("and
    when's the deadline?") or after a word that asks ("…, and what was it the yr before?");
    "…, and which ones?" only says how the first one should be answered, and "… ? how much?" what
    the first one asks."""
    n = len(tokens(piece))
    if n >= 2:  # "on their earlier missions (…) how many cos went, and …": "how many" asks anywhere
        return bool(_ASKS.match(piece) or _HOW_MANY.search(piece)) or f"{piece}?" in question
    return n == 1 and (
        (bool(_OPENS_ASKING.match(piece)) and not _LISTED.search(piece))
        or (bool(_ASKS.match(piece)) and kind_of(piece) is not Kind.OPEN)
        or (f"{piece}?" in question and kind_of(piece) is not Kind.OPEN)  # "got a phone no. for her?"
    )


_TWO_ASKED = re.compile(
    r"\b(who|what|when|where|how|which)\s+(?:and|n|&|\+)\s+(who|what|when|where|how|which)\b([^?]*)", re.I
)


def _parts(question: str) -> tuple[str, ...]:
    """Questions asked in one message ("is X part of it? and who runs it?"), each with some words.

    "when n where is the showcase?" asks two: "when is the showcase?" and "where is the showcase?".
    """
    question = _TWO_ASKED.sub(lambda m: f"{m[1]}{m[3]}? {m[2]}{m[3]}", question)
    pieces = [p.strip() for p in _PIECES.split(question)]
    pieces = [p for p in pieces if _asks(p, question)]
    return tuple(pieces) or (question,)  # "how many jobs so far? need a number for a slide": one question
