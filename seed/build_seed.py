#!/usr/bin/env python3
"""Build the bundled seed case memory for `triage` (seed/cases.jsonl).

All case texts below were written by hand by the triage project team for this
project (no third-party dataset was used).  Names, @handles, e-mail addresses,
case numbers and links are fictitious; links only use example domains.

Usage:  python seed/build_seed.py          # writes seed/cases.jsonl + seed/README.md
        python seed/build_seed.py --check  # validate only, print coverage
"""
from __future__ import annotations

import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent

CATEGORY_QUEUE = {
    "child_safety": "child_safety",
    "self_harm": "imminent_harm",
    "violent_threat": "imminent_harm",
    "violent_extremism": "violent_extremism",
    "graphic_violence": "graphic_content",
    "dangerous_acts": "graphic_content",
    "hate_speech": "hate_harassment",
    "harassment_bullying": "hate_harassment",
    "doxxing_privacy": "privacy",
    "sexual_content": "adult_content",
    "scam_fraud": "scams_fraud",
    "impersonation": "scams_fraud",
    "misinformation": "integrity",
    "spam": "integrity",
    "intellectual_property": "ip_rights",
    "account_access": "account_support",
    "appeal": "appeals",
    "legal_request": "legal_requests",
    "no_violation": "general_support",
}
RISK_ORDER = ["low", "medium", "high", "critical"]
RISK_FLOOR = {
    "child_safety": "critical", "self_harm": "high", "violent_extremism": "high",
    "violent_threat": "high", "doxxing_privacy": "high", "graphic_violence": "medium",
    "hate_speech": "medium", "harassment_bullying": "medium", "sexual_content": "medium",
    "dangerous_acts": "medium", "scam_fraud": "medium", "impersonation": "medium",
    "legal_request": "medium", "misinformation": "low", "intellectual_property": "low",
    "spam": "low", "account_access": "low", "appeal": "low", "no_violation": "low",
}
CHANNELS = ["in_app_report", "email", "partner_portal", "law_enforcement_portal",
            "creator_support", "api"]
REPORTERS = ["user", "creator", "trusted_flagger", "ngo", "government",
             "law_enforcement", "advertiser"]
OUTCOMES = ["content_removed", "account_suspended", "escalated_law_enforcement",
            "escalated_emergency_services", "age_restricted", "no_violation_found",
            "account_restored", "appeal_upheld", "appeal_denied", "information_provided",
            "data_disclosed_under_legal_process", "request_rejected", "label_applied"]
LANG_REGIONS = {
    "en": {"US", "GB", "IN", "CA", "AU", "IE", "NG", "PH", "ZA", "NZ", "KE", "SG"},
    "es": {"MX", "ES", "AR", "CO", "CL", "PE", "US", "VE", "EC"},
    "pt": {"BR", "PT"},
    "fr": {"FR", "BE", "CA", "CH", "MA", "SN", "CI"},
    "de": {"DE", "AT", "CH"},
    "id": {"ID"},
    "ar": {"SA", "EG", "AE", "MA", "JO"},
    "ja": {"JP"},
    "tr": {"TR", "DE"},
    "hi": {"IN"},
    "it": {"IT", "CH"},
}
KEYS = ["id", "subject", "body", "language", "region", "channel", "reporter_type",
        "category", "risk", "queue", "final_reply", "outcome", "status"]

CASES: list[dict] = []


_ROUTER = None


def queue_for(category: str, risk: str, channel: str, reporter_type: str, language: str, region: str) -> str:
    """The queue the project's own router gives (policy/routing.yaml), so seed labels match the policy."""
    global _ROUTER
    if _ROUTER is None:
        sys.path.insert(0, str(HERE.parent / "src"))
        from triage.domain.policy import load_policy
        from triage.pipeline.route import Router

        _ROUTER = Router(load_policy(HERE.parent / "policy"))
    from datetime import UTC, datetime

    return _ROUTER.route(category=category, risk=risk, channel=channel, reporter_type=reporter_type,
                         language=language, region=region, received_at=datetime.now(UTC)).queue


def c(lang, region, channel, reporter, category, risk, outcome, subject, body, reply, edited=False):
    CASES.append({
        "subject": subject.strip(), "body": body.strip(), "language": lang, "region": region,
        "channel": channel, "reporter_type": reporter, "category": category, "risk": risk,
        "queue": queue_for(category, risk, channel, reporter, lang, region), "final_reply": reply.strip(),
        "outcome": outcome, "status": "edited" if edited else "accepted",
    })


# Shorthands used in the data tables below.
IA, EM, PP, LE, CS, API = ("in_app_report", "email", "partner_portal",
                           "law_enforcement_portal", "creator_support", "api")

# ---------------------------------------------------------------------------
# English — child safety
# ---------------------------------------------------------------------------
c("en", "US", IA, "user", "child_safety", "critical", "escalated_law_enforcement",
  "Adult man messaging my 12 year old",
  "My daughter is 12 and she showed me DMs from an account called @coolcoach_dan. He told her she's 'mature for her age', asked if her parents check her phone and wants her to move the chat to another app. He also asked for a picture 'in her pajamas'. I took screenshots. Please do something, I'm shaking.",
  "Thank you for reporting this and for acting so quickly to protect your daughter. Our child safety team reviewed the messages, removed the account and referred the matter to the appropriate authorities, as we do with all suspected grooming. Please keep your screenshots and consider contacting your local police as well so they can follow up directly. You can also review our Family Pairing settings to limit who can message your daughter.")

c("en", "GB", IA, "user", "child_safety", "critical", "escalated_law_enforcement",
  "someone is blackmailing my little brother",
  "my brother is 15. some 'girl' got him to send pics and now they say they'll send them to all his followers and school unless he pays £300 in gift cards. he's terrified and hasnt told our parents. the account is @lily.x.2008. what do we do??",
  "Thank you for telling us, and please let your brother know this is not his fault and he is not in trouble. We reviewed the report, removed the account and referred it to the relevant authorities. Please do not pay or send anything further, keep the messages as evidence, and tell a trusted adult so you can report it to the police together. In the UK you can also use the Report Remove service to help get images of under-18s taken down.")

c("en", "US", PP, "ngo", "child_safety", "critical", "escalated_law_enforcement",
  "Network of accounts trading links to CSAM via bio links",
  "Our analysts identified a cluster of 14 accounts using coded emoji captions and identical bio links pointing to an external file host that appears to distribute child sexual abuse material. Account list and hashes of the captions are attached in the portal submission. Several accounts follow each other and re-post the same teaser clip of a fully clothed child with predatory comments. Reference: NGO-2024-0871.",
  "Thank you for this detailed referral (NGO-2024-0871). Our child safety team reviewed all 14 accounts, removed them and the associated content, and made reports to the relevant child protection clearinghouse and law enforcement authorities. We have also added the caption patterns and bio-link domain to our detection systems. We appreciate your partnership and will follow up through the portal if we need additional information.")

c("en", "CA", IA, "user", "child_safety", "critical", "content_removed",
  "creepy comments on kids gymnastics video",
  "There's a gymnastics club video of little girls (like 8-10) and the comments are full of grown men posting timestamps and gross emojis. https://www.example-video.com/@northstar_gym/video/7291044118 not saying the club did anything wrong but the comments are vile",
  "Thanks for flagging this. We reviewed the video and its comments, removed the comments that sexualised the children and took action on the accounts that posted them. The video itself did not break our rules, and we have restricted comments on it to protect the children shown. We have also reached out to the account owner with guidance on protecting young people in their content.")

c("en", "AU", EM, "user", "child_safety", "critical", "escalated_law_enforcement",
  "Teacher account sending messages to students",
  "I'm a parent at a secondary school in Brisbane. A staff member runs an account that students follow and several kids say he's been sending them private messages late at night, including asking one 13 year old girl to 'keep our chats secret'. I've told the school but wanted you to know too. I don't want to name the account publicly, it's @mr_t_science_fun.",
  "Thank you for raising this with us and with the school — that was the right thing to do. Our child safety specialists reviewed the account and its activity and have escalated the matter to the appropriate law enforcement authorities. For privacy reasons we can't share details about another person's account, but we are taking your report very seriously. If any child is at immediate risk, please contact the police on 000.")

c("en", "IN", PP, "trusted_flagger", "child_safety", "critical", "account_suspended",
  "Minor livestreaming receiving sexualised gift requests",
  "Flagging a livestream pattern: account @dancegirl_riya appears to be a child (approx. 11-12, school uniform visible) going live most evenings. Viewers send gifts in exchange for requests like 'turn around', 'show feet', 'lie down'. The child should not be able to host LIVE and the requesting accounts should be actioned. Clips saved at 20:14 and 20:31 IST.",
  "Thank you for this report. We confirmed the host appears to be under our minimum age for LIVE, ended the stream, and suspended the account pending age verification by a parent or guardian. The viewer accounts that made sexualised requests were permanently banned and reported where required by law. We appreciate the precise timestamps, which made the review much faster.")

c("en", "US", IA, "user", "child_safety", "critical", "escalated_law_enforcement",
  "kid is being asked to meet up",
  "im 14 and theres this guy who says hes 17 but i think hes older, he keeps saying he will pick me up from school friday and that i shouldnt tell my mom. hes nice but it feels weird now. his name on here is @jay_turnup99",
  "Thank you for trusting us with this — you did exactly the right thing by reaching out. Please don't meet this person and please tell your mom or another adult you trust today, even if he asked you not to. Our safety team reviewed the account and has taken action and referred it to the authorities. If you ever feel in danger, call 911 right away.")

c("en", "GB", PP, "ngo", "child_safety", "critical", "content_removed",
  "AI-generated sexualised images of children in slideshow posts",
  "We are seeing slideshow posts using AI-generated images that depict children in sexualised poses, captioned as 'art'. Example: https://www.example-video.com/@aiartzone44/video/7300122334 and six more in the attached list. These are not real photographs but still clearly violate child safety policy and UK law.",
  "Thank you for flagging these posts. Our policies prohibit sexualised depictions of minors regardless of whether they are real, drawn or AI-generated, and we removed all seven posts and banned the accounts. We also reported the material as required and updated our detection to catch similar slideshows. Please keep sending examples through the portal if the pattern reappears.",
  edited=True)

c("en", "US", API, "trusted_flagger", "child_safety", "critical", "escalated_law_enforcement",
  "Hash match batch 2024-11-03: 3 uploads",
  "Automated submission via partner hash-sharing API. 3 uploads matched known CSAM hash list entries (category A1). Upload IDs and match confidence attached. No human review performed by submitter.",
  "Thank you for the automated submission. All three uploads were confirmed by our specialist team, blocked, the uploading accounts were banned, and reports were filed with the designated child protection clearinghouse. No further action is needed from your side for this batch.")

c("en", "PH", IA, "user", "child_safety", "critical", "escalated_law_enforcement",
  "Account selling 'live shows' with kids",
  "There's an account advertising private 'family live shows' and the thumbnail shows a small child. Comments from foreigners ask for prices in PM. I live in Cebu and I think this is real abuse happening. Link: https://www.example-video.com/@familyvlogz_ph/video/7288810001",
  "Thank you for reporting this; we take it extremely seriously. Our child safety team removed the account and its content and urgently referred the case to law enforcement authorities, including those responsible for online child exploitation in the Philippines. If you have any information that a child is in immediate danger, please also contact local police directly.")

# ---------------------------------------------------------------------------
# English — self harm
# ---------------------------------------------------------------------------
c("en", "US", IA, "user", "self_harm", "critical", "escalated_emergency_services",
  "friend is live right now saying goodbye",
  "my friend @kaylee.m is on live RIGHT NOW saying this is her last video and showing pills. she lives in ohio i think columbus. please please do something fast",
  "Thank you for acting so quickly — you may have helped save your friend's life. Our team reviewed the live stream immediately, ended it, and contacted emergency services with the information available to us. If you know where she is, please call 911 as well, and try to stay in touch with her if you can. You can also reach the 988 Suicide & Crisis Lifeline by calling or texting 988 for support for yourself.")

c("en", "GB", IA, "user", "self_harm", "high", "content_removed",
  "pro ana account giving 'tips'",
  "This account posts 'what I eat in a day' with 300 calories and tips like chewing ice and hiding food from parents. Comments are full of young girls asking for 'ana buddies'. It's really dangerous. @thinspiration.diaries",
  "Thank you for reporting this account. We reviewed the videos and removed those promoting extreme restriction and disordered eating behaviours, and we restricted the account from appearing in recommendations. Searches for related terms now direct people to eating disorder support resources. If you or someone you know is struggling, Beat's helpline (0808 801 0677) offers free and confidential support in the UK.")

c("en", "CA", IA, "user", "self_harm", "high", "content_removed",
  "video showing fresh cuts",
  "Video on my FYP shows someone's arm with fresh cuts set to a sad song with the caption 'day 34 of not stopping'. I don't know the person but it upset me a lot and I'm worried for them. https://www.example-video.com/@nightsky_thoughts/video/7310098812",
  "Thank you for caring enough to report this. We removed the video because it showed graphic self-harm, and we sent the account holder a message with support resources and crisis line information. We know coming across content like this can be upsetting — if it affected you, you can call or text 988 in Canada to talk to someone any time.",
  edited=True)

c("en", "US", CS, "creator", "self_harm", "high", "content_removed",
  "comments telling me to kill myself after my video went viral",
  "I'm a small creator and one of my videos blew up. Now I have hundreds of comments saying 'kys' and telling me exactly how to do it. I already have depression and this is really getting to me. I've turned off comments but they're in my DMs too.",
  "We're really sorry you're going through this, and thank you for reaching out. We removed the comments and messages that encouraged suicide and took action against the accounts responsible; you can also use Filter Comments and limit DMs to followers while things calm down. Please consider talking to someone you trust — in the US you can call or text 988 any time for free, confidential support. You don't deserve any of this.")

c("en", "AU", IA, "user", "self_harm", "critical", "escalated_emergency_services",
  "Note posted with a time",
  "A girl from my year posted a slideshow that says 'I'll be gone by 10pm tonight, thanks for nothing' and the last photo is of a bridge near our town. It's 7:40pm now. Her account is @soph_xx_ms. I've called her but she's not answering.",
  "Thank you for reporting this so quickly. Our team treated it as an emergency and shared the information we have with emergency services. Please call 000 now as well and tell them everything you know, including the bridge location — local responders can act fastest. Lifeline is available on 13 11 14 if you need support yourself tonight.")

c("en", "US", PP, "ngo", "self_harm", "high", "content_removed",
  "Trend using coded hashtags for self-harm",
  "Our youth helpline has noticed an increase in videos using the tag #barcodeARM and a specific sad audio to share self-harm imagery while avoiding detection. Attached are 22 example links collected this week. Many creators appear to be 13-16.",
  "Thank you for sharing this trend analysis. We reviewed the 22 links, removed the videos that depicted self-harm, and added the hashtag variant to the list of terms that redirect searches to support resources. Accounts of users who appeared to be at risk received in-app wellbeing resources. Your insight is very helpful and we'd welcome further updates through the partner portal.",
  edited=True)

c("en", "IN", EM, "user", "self_harm", "high", "information_provided",
  "I don't want to be here anymore",
  "I'm not reporting anyone. I just don't know who to tell. I've been watching sad edits all night and I feel like nothing will get better. I don't have a plan or anything, I'm just tired.",
  "Thank you for writing to us — it matters that you reached out, and we're glad you did. You don't have to go through this alone: in India you can call the Tele-MANAS helpline at 14416 any time, free and confidential. If you ever feel you might act on these thoughts, please contact local emergency services on 112 or go to your nearest hospital. You can also tap 'Not interested' on videos that bring you down and refresh your feed in settings.")

c("en", "NG", IA, "user", "self_harm", "high", "content_removed",
  "video with instructions",
  "This video explains step by step how much of a certain medicine 'makes it painless'. It has 40k views. I reported it in the app but it's still up. https://www.example-video.com/@quietending/video/7301234455",
  "Thank you for reporting this again. We reviewed the video and removed it, because content that provides instructions for suicide or self-harm is not allowed under any circumstances. We also took action on the account. If you or someone you know is struggling, please reach out to a local crisis line or emergency services.")

c("en", "US", IA, "user", "self_harm", "high", "no_violation_found",
  "Recovery video flagged? Might be triggering",
  "Someone posted a video talking about her recovery from self-harm, she shows healed scars at the end. I found it a bit triggering. Not sure if it's allowed.",
  "Thank you for checking with us. We reviewed the video and it's a recovery story that shows healed scars in a non-graphic way and includes support resources, which our guidelines allow because it can help others. We understand it may still be hard to watch, so you can long-press on similar videos and tap 'Not interested', or add keywords to your content filter. If you're struggling, 988 is available by call or text.")

# ---------------------------------------------------------------------------
# English — violent extremism
# ---------------------------------------------------------------------------
c("en", "GB", PP, "trusted_flagger", "violent_extremism", "high", "content_removed",
  "Re-uploads of attack livestream footage",
  "We are seeing re-uploads of the gunman's first-person livestream from last week's attack, cropped and with music added to evade matching. 9 links attached. Some have the attacker's manifesto title in the caption.",
  "Thank you for the rapid referral. We removed all nine videos, banned the uploading accounts and added the new variants to our hash-matching so further re-uploads are blocked automatically. We have also shared the hashes through our industry hash-sharing arrangement. Please continue to flag any new variants you encounter.")

c("en", "US", IA, "user", "violent_extremism", "high", "content_removed",
  "account glorifying mass shooters",
  "This account makes 'fan edits' of mass shooters calling them saints, with their faces and kill counts. The comments are people saying they'll be next. @saint_edits_1488",
  "Thank you for reporting this account. Content that glorifies perpetrators of violent attacks breaks our rules, and we removed the account. Comments suggesting intent to carry out violence were reviewed separately and escalated where appropriate. We appreciate you helping keep the community safe.")

c("en", "IE", PP, "ngo", "violent_extremism", "high", "content_removed",
  "ISIS nasheed with recruitment captions",
  "Counter-extremism NGO referral. Three accounts are posting nasheeds over battlefield imagery with captions inviting viewers to 'join the caravan' and a Telegram handle for contact. Language mix of English and Arabic. Links and archive captures in the attached sheet.",
  "Thank you for your referral. We reviewed the three accounts, removed them for promoting a designated violent extremist organisation, and blocked the contact handle from being posted on the platform. The associated audio has been added to our detection systems. We value your expertise and will reach out via the portal if we have further questions.")

c("en", "US", IA, "user", "violent_extremism", "high", "no_violation_found",
  "history video showing nazi flags",
  "A history account posted a video about WW2 with nazi flags and Hitler speeches. Isn't this hate?",
  "Thanks for reporting this video. We reviewed it and found it to be educational historical content that documents WWII without promoting or praising Nazi ideology, which our guidelines allow. We do remove content that glorifies extremist groups, so please keep reporting anything that crosses that line.")

c("en", "AU", PP, "trusted_flagger", "violent_extremism", "high", "account_suspended",
  "Accelerationist recruitment via 'fitness' accounts",
  "A group of accounts present as fitness/self-improvement but embed accelerationist symbols (sun wheel, 'Saint' imagery) and invite followers to an 'active club' chat. The pattern matches known white supremacist recruitment networks. 6 accounts listed.",
  "Thank you for this referral. After review, we banned the six accounts for promoting violent extremist ideology and recruiting for a hateful organisation, and added the associated symbols and phrases to our enforcement guidance. We are also looking at related accounts using the same signals.",
  edited=True)

c("en", "US", API, "trusted_flagger", "violent_extremism", "high", "content_removed",
  "Batch referral: terrorist propaganda URLs (12)",
  "Automated referral from partner monitoring service. 12 URLs flagged as official media of a designated terrorist organisation. Confidence: high. Language: Arabic, English subtitles.",
  "Thank you for the referral. Our violent extremism team reviewed all 12 URLs; 11 were removed as terrorist propaganda and the accounts banned. One was a news report using short clips with critical commentary, which remains available with a content warning.")

c("en", "GB", IA, "user", "violent_extremism", "high", "content_removed",
  "Teen account sharing manifesto screenshots",
  "I think a kid at my son's school runs this account. It's full of screenshots from a shooter's manifesto and the bio says 'the great replacement is real, act'. I'm worried.",
  "Thank you for reporting this and for looking out for the young people around you. We removed the content and the account for promoting violent extremist material. If you believe someone may be at risk of radicalisation or planning harm, please contact the police or the Prevent advice line so trained professionals can help.")

c("en", "ZA", IA, "user", "violent_extremism", "high", "content_removed",
  "Militia recruiting video",
  "Video of a group in camo with rifles calling on people to join them to 'cleanse' a township. They give a location to meet. https://www.example-video.com/@reclaim_front/video/7295567001",
  "Thank you for the report. We removed the video and the account for promoting violent extremism and incitement. Given the call to gather at a location, we also reviewed whether there was a risk of imminent harm and shared information with the authorities as appropriate. Please contact local police if you have further information.")

c("en", "US", IA, "user", "violent_extremism", "high", "no_violation_found",
  "documentary about terrorism",
  "A channel posted a documentary about how ISIS recruited people online. It shows some of their videos.",
  "Thanks for flagging this. We reviewed the documentary and found it provides critical, educational context about terrorist recruitment without promoting the group, so it remains available. It has a content warning for sensitive imagery. We appreciate you reporting anything you're unsure about.")

# ---------------------------------------------------------------------------
# English — violent threat
# ---------------------------------------------------------------------------
c("en", "US", IA, "user", "violent_threat", "critical", "escalated_law_enforcement",
  "school shooting threat for tomorrow",
  "Someone posted a video of a gun on a bed with the caption 'Lincoln High tomorrow 2nd period, dont come'. Lincoln High is in our town. Link https://www.example-video.com/@nobodycares_07/video/7312200981",
  "Thank you for reporting this immediately. We removed the video and escalated it to law enforcement as an imminent threat, sharing the information we are permitted to share. Please also contact your local police or school administration right away. We will cooperate fully with any investigation.")

c("en", "GB", IA, "user", "violent_threat", "high", "content_removed",
  "my ex is threatening me in comments",
  "My ex keeps commenting on my videos 'you'll regret this', 'watch your back when you leave work'. He knows where I work. I've blocked him but he makes new accounts.",
  "We're sorry you're dealing with this, and thank you for reporting it. We removed the threatening comments and took action on the accounts involved, including measures to limit new accounts created to evade the block. Because he knows where you work, please consider reporting this to the police and keep screenshots as evidence. You can also set comments to Friends only and filter specific keywords.")

c("en", "US", PP, "government", "violent_threat", "critical", "escalated_law_enforcement",
  "Threat against county election officials",
  "County elections office here. A video names our clerk and says 'we know where you live, Nov 5th you won't make it home'. Posted this morning, 2k views. Our staff are frightened.",
  "Thank you for reporting this. We removed the video, banned the account and referred the threat to law enforcement given its specific nature. We would encourage your office to also file a report with local police so they can coordinate with us. Please continue to report any further threats against your staff through the portal.")

c("en", "CA", IA, "user", "violent_threat", "high", "no_violation_found",
  "he said he'd kill me",
  "My brother posted a video saying 'I'm going to KILL my sister if she eats my leftovers again' lol. Honestly I just want it gone because it's embarrassing.",
  "Thanks for reaching out. We reviewed the video and it's clearly a joke between family members, so it doesn't break our rules on threats. Since it's your brother, the quickest way to get it taken down is probably to ask him directly. If you feel it shares private information about you, you can report it under privacy.")

c("en", "US", IA, "user", "violent_threat", "high", "account_suspended",
  "Threats against a streamer",
  "Account @reaper_no_mercy is posting videos outside a streamer's house saying he's coming to 'finish it'. The streamer has said on stream they're scared.",
  "Thank you for reporting this. We removed the videos and suspended the account for making violent threats. We cannot share details about other accounts, but we take threats like this very seriously and cooperate with police when they are involved. If you know the person being targeted, encourage them to contact local police.")

c("en", "IN", IA, "user", "violent_threat", "high", "content_removed",
  "Threat to acid attack a girl",
  "A guy from our college posted a video with a bottle saying if she doesn't reply he will throw acid. Everyone knows who the girl is. This is serious.",
  "Thank you for reporting this. We removed the video and took action on the account for threatening serious violence. Please make sure the person targeted is aware and encourage them to report it to the police immediately; you can also dial 112 in an emergency. We will cooperate with any law enforcement request.",
  edited=True)

c("en", "US", LE, "law_enforcement", "legal_request", "critical", "data_disclosed_under_legal_process",
  "Active threat — request to preserve and review",
  "Detective, county sheriff's office. We are investigating a threat posted on your platform at approx. 14:10 local today stating intent to bomb a courthouse on Friday. Requesting urgent review, preservation of the account, and contact for emergency disclosure process. Case SO-24-11873.",
  "Thank you for contacting us regarding case SO-24-11873. We removed the content and preserved the account data. Based on the imminent risk described, our law enforcement response team approved the emergency disclosure request and provided the basic subscriber and login information to your office through the portal. Any further records will require valid legal process submitted through the same channel.")

c("en", "GB", EM, "user", "violent_threat", "high", "content_removed",
  "Threat to burn down our mosque",
  "A local account posted a video outside our mosque saying 'this building won't be standing by Eid'. We've informed the police. Please remove it.",
  "Thank you for reporting this and for informing the police. We removed the video and took action on the account for threatening violence against a place of worship. We will respond to any request from law enforcement investigating the matter. Please report any further content through the app or this address.")

c("en", "US", IA, "user", "violent_threat", "high", "no_violation_found",
  "threat in a song?",
  "A rapper posted lyrics about shooting people. Is that allowed? Feels violent.",
  "Thanks for reporting this. We reviewed the video and found it to be artistic expression that doesn't target a real, identifiable person or group, so it stays up under our guidelines. If you ever see content threatening a specific person, please report it and we'll take a close look.")

c("en", "US", IA, "user", "violent_threat", "high", "escalated_law_enforcement",
  "Threat to shoot up my workplace",
  "A coworker who got fired yesterday posted 'everyone at Brightline Logistics is gonna learn tomorrow' with a photo of a rifle. The warehouse is on Route 9. We start at 6am.",
  "Thank you for reporting this right away. We removed the post and referred it to law enforcement as a credible threat of violence. Please also call 911 or your local police now and let your employer know so they can take safety measures before the morning shift.")

# ---------------------------------------------------------------------------
# English — graphic violence
# ---------------------------------------------------------------------------
c("en", "US", IA, "user", "graphic_violence", "medium", "age_restricted",
  "graphic war footage on my feed",
  "I keep seeing videos from the war with dead bodies. One from a news page showed a bombed street with bodies under blankets. I'm 16 and I don't want this on my FYP.",
  "Thank you for letting us know. We reviewed the news video and, because it documents an important event with journalistic context, it remains available but is now behind a content warning and not shown to users under 18. You can also use 'Not interested' and keyword filters to see less of this topic. Please take care of yourself and step away if the news feels overwhelming.")

c("en", "GB", IA, "user", "graphic_violence", "high", "content_removed",
  "Video of a stabbing",
  "Someone posted CCTV of a stabbing outside a chip shop in our town with laughing emojis and the caption 'he had it coming'. You can see everything. https://www.example-video.com/@roadmen_clips/video/7299001877",
  "Thank you for the report. We removed the video because it shows graphic real-world violence in a way that celebrates it, and we took action on the account. If you have information about the incident, please share it with the police.")

c("en", "US", IA, "user", "graphic_violence", "medium", "content_removed",
  "cat torture video",
  "This is disgusting. Teenagers filming themselves hurting a kitten and laughing. I couldn't finish watching. Please take this down and report them.",
  "Thank you for reporting this, and we're sorry you saw it. We removed the video and banned the account, as animal cruelty is not allowed on our platform. If you know where this happened, you can also report it to local animal welfare authorities or the police.")

c("en", "IN", IA, "user", "graphic_violence", "medium", "age_restricted",
  "Accident video on trending page",
  "A video of a bus accident on the highway is trending with injured people lying on the road. The account is a local news page. Is this allowed?",
  "Thanks for asking. We reviewed the video, which is posted by a news outlet and reports on a significant public event. It remains available, but we added a sensitive content warning and restricted it from viewers under 18. Our guidelines allow newsworthy footage when it's shared to inform rather than shock.")

c("en", "US", PP, "ngo", "graphic_violence", "high", "content_removed",
  "Execution videos from conflict zone",
  "Human rights documentation NGO. We're aware of several uploads showing summary executions of prisoners. We have archived them for documentation purposes. They're being shared with celebratory captions and should not remain publicly available. 5 links attached.",
  "Thank you for your referral and for documenting these events. We removed the five videos because they were shared to celebrate violence, and we preserved them in line with our evidence preservation practices in case they are needed for future accountability processes. Please let us know via the portal if you need to request preservation for specific items.",
  edited=True)

c("en", "AU", IA, "user", "graphic_violence", "medium", "no_violation_found",
  "Hunting video",
  "Guy posted himself shooting a kangaroo, the bit where it falls is shown. I think it's cruel.",
  "Thanks for your report. We reviewed the video and it shows lawful hunting without close-up gore, which our guidelines allow, though it is not recommended to younger users. We understand it can be upsetting, and you can tap 'Not interested' to see fewer videos like this.")

c("en", "US", IA, "user", "graphic_violence", "medium", "content_removed",
  "fight compilation",
  "account posts compilations of people getting knocked out at school, someone gets stomped on the head at 0:45. kids in them are clearly minors",
  "Thank you for reporting this account. We removed the compilations because they show severe physical violence involving minors and we took action on the account. If you recognise anyone in the videos, you may want to inform the school so they can follow up.")

c("en", "CA", IA, "user", "graphic_violence", "medium", "age_restricted",
  "surgery videos",
  "A doctor account shows actual surgery footage with blood. My kid came across it.",
  "Thanks for reaching out. We reviewed the video, which is educational medical content from a healthcare professional. It remains available but now carries a content warning and is restricted for younger users. You can also use Family Pairing to set Restricted Mode on your child's account.")

# ---------------------------------------------------------------------------
# English — hate speech
# ---------------------------------------------------------------------------
c("en", "US", PP, "ngo", "hate_speech", "high", "content_removed",
  "Coordinated antisemitic campaign under trending sound",
  "Our monitoring team identified ~40 videos using the same trending audio with overlaid text of antisemitic conspiracy tropes (Jewish control of banks/media) and Holocaust denial hashtags. Many accounts were created in the last 10 days and post in bursts. Spreadsheet attached with URLs and creation dates.",
  "Thank you for this detailed referral. We reviewed all the videos: 37 were removed for hate speech and the accounts that were created to spread them were banned as coordinated inauthentic behaviour. The remaining three did not contain the hateful text and were left up. We have added the text patterns to our detection systems and appreciate your continued partnership.")

c("en", "GB", IA, "user", "hate_speech", "medium", "content_removed",
  "racist comments under footballer's video",
  "Every post from @kwame_ftbl has monkey emojis and the n word in comments after the match yesterday. It's hundreds of them.",
  "Thank you for reporting this. We removed the racist comments we identified and took action on the accounts responsible, including bans for repeat offenders. We've also applied extra comment filtering on the account to stop this kind of abuse appearing. Racism has no place on our platform.")

c("en", "US", IA, "user", "hate_speech", "medium", "no_violation_found",
  "comedian making fun of Americans",
  "British comedian doing a bit about how Americans can't find countries on a map. Offensive to Americans.",
  "Thanks for sharing your concern. We reviewed the video and it's comedic commentary about nationality that doesn't attack people in a dehumanising way, so it doesn't violate our hate speech policy. You can always use 'Not interested' or block accounts you don't want to see.")

c("en", "US", IA, "user", "hate_speech", "medium", "content_removed",
  "transphobic video targeting a teen",
  "A video shows a trans girl's yearbook photo with slurs and says 'this is what they want in your daughters' bathroom'. She is a real student at a local school.",
  "Thank you for reporting this. We removed the video for hate speech and for targeting a private minor, and we took action on the account. If the student or her family would like additional support, they can contact us through the app to report any related content.")

c("en", "IN", IA, "user", "hate_speech", "high", "content_removed",
  "Video calling for boycott and violence against a community",
  "This video uses slurs against Muslims and says people should 'teach them a lesson' in our district before the festival. It's spreading on WhatsApp too. https://www.example-video.com/@bharat_jaago_99/video/7300776102",
  "Thank you for the report. We removed the video for hate speech and incitement and took action against the account. Given the risk of offline violence, we are monitoring for re-uploads. If you are aware of any planned violence, please contact local police on 112.")

c("en", "CA", IA, "user", "hate_speech", "medium", "content_removed",
  "slurs against Indigenous people",
  "Guy went on a rant in his truck calling Native people drunks and parasites. Nearly 100k views.",
  "Thank you for reporting this video. We reviewed it and removed it because it attacks people based on their ethnicity with dehumanising language. We also applied a strike to the account.",
  edited=True)

# ---------------------------------------------------------------------------
# English — harassment and bullying
# ---------------------------------------------------------------------------
c("en", "US", IA, "user", "harassment_bullying", "medium", "content_removed",
  "video making fun of my daughter",
  "Girls in my daughter's 8th grade class made a video of her eating lunch with a pig sound edited in. The whole school has seen it. She won't go to school now.",
  "We're so sorry your daughter is going through this, and thank you for reporting it. We removed the video for bullying and took action on the account that posted it. You may also want to let the school know so they can support her. If she's struggling, a counselor or your family doctor can help, and the 988 Lifeline is available by call or text.")

c("en", "GB", CS, "creator", "harassment_bullying", "medium", "content_removed",
  "Stitch pile-on",
  "A bigger creator stitched my video and called me 'a fat attention seeker' and now his followers are flooding my comments with the same. I have 2k followers, he has 900k. I just want it to stop.",
  "Thanks for contacting Creator Support, and we're sorry you've been targeted like this. We removed the stitch for bullying and cleared the abusive comments we found on your videos. We recommend turning on comment filters and limiting Stitch and Duet to friends for a while. If the pile-on continues, report new content and mention this ticket so we can review it together.")

c("en", "US", IA, "user", "harassment_bullying", "medium", "no_violation_found",
  "negative review of my restaurant",
  "A food reviewer posted a video saying my burgers were 'mid' and the service was slow. This is hurting my business, please remove it.",
  "Thanks for reaching out. We reviewed the video and it's an honest opinion about a business, which is allowed under our guidelines and doesn't count as harassment. If the video contains false statements you believe are defamatory, you can submit a legal complaint through our web form. You're also welcome to respond publicly with your side of the story.")

c("en", "AU", IA, "user", "harassment_bullying", "high", "account_suspended",
  "someone made multiple accounts to harass me",
  "For 3 months someone keeps creating accounts named after me (@not_ellie1, @not_ellie2 etc) posting my photos with captions about me being a slut and commenting on my friends' posts. I've reported each one. This is the 9th.",
  "We're really sorry this has gone on for so long, and thank you for persisting with your reports. We removed the latest account and linked accounts we identified as being run by the same person, and we've put measures in place to detect new ones faster. Please keep screenshots — you can also report serious online abuse to the eSafety Commissioner and to police.")

c("en", "US", IA, "user", "harassment_bullying", "medium", "content_removed",
  "teacher being mocked",
  "Students secretly filmed our math teacher and put captions saying she's a 'psycho who should die'. She is devastated.",
  "Thank you for reporting this on her behalf. We removed the video for harassment and took action on the account. The teacher can also report any further content about her directly, and we'd encourage the school to address it with the students involved.")

c("en", "NG", IA, "user", "harassment_bullying", "medium", "no_violation_found",
  "my friend roasted me",
  "my friend posted a roast of me for my birthday lol but some people in comments are saying mean stuff. can you remove just the comments?",
  "Happy birthday, and thanks for reaching out! We reviewed the video and comments and didn't find anything that breaks our bullying rules, but you can delete or filter comments on your own videos — since it's your friend's video, you could ask them to delete the comments or limit them to friends. You can also block anyone who's bothering you.")

c("en", "US", CS, "creator", "harassment_bullying", "medium", "content_removed",
  "Sexual harassment in live comments",
  "Every time I go live, the same 4-5 accounts spam sexual comments about my body and say they'll find me. I moderate but they come back with new accounts. I'm a 22yo fitness creator.",
  "Thanks for letting us know, and we're sorry you're dealing with this. We removed the comments and banned the accounts we identified, including ones created to get around your blocks. For LIVE, you can add moderators, turn on keyword filters and mute viewers instantly. If you ever feel physically unsafe, please contact local police.")

# ---------------------------------------------------------------------------
# English — doxxing / privacy
# ---------------------------------------------------------------------------
c("en", "US", IA, "user", "doxxing_privacy", "critical", "content_removed",
  "my home address posted",
  "After my video about a local controversy, someone posted a video zooming in on my house on Google Maps with my street name and house number. People are saying 'let's visit her'. I'm scared.",
  "We're sorry this happened, and thank you for reporting it so quickly. We removed the video for sharing your private address and took action on the account; we are also monitoring for re-uploads. Please consider contacting your local police given the comments about visiting. You can make your account private temporarily and restrict who can comment or mention you.")

c("en", "GB", IA, "user", "doxxing_privacy", "high", "content_removed",
  "my phone number in a video",
  "Someone I fell out with posted my phone number saying 'call her for a good time'. I've had 40 calls and texts today.",
  "We're really sorry, and thank you for reporting this. We removed the video because it shared your personal phone number without consent and took action on the account. You may want to ask your mobile provider about blocking unknown callers or changing your number, and keep a record in case you decide to contact the police.")

c("en", "US", EM, "user", "doxxing_privacy", "high", "content_removed",
  "Video filmed of me at the hospital",
  "A woman filmed me in the ER waiting room having a panic attack and posted it with 'crackhead meltdown'. You can see my face and my name on the wristband. I want it removed.",
  "We're very sorry this happened. We removed the video because it showed you in a vulnerable situation with identifying medical information and without your consent. We've also taken action on the account. If you see it re-uploaded, please report it and reference this ticket.")

c("en", "CA", IA, "user", "doxxing_privacy", "high", "no_violation_found",
  "Video of me in the background",
  "I'm in the background of someone's video at a concert, you can see my face for 2 seconds. I didn't consent.",
  "Thank you for reaching out. We reviewed the video and found that it shows you briefly in the background of a public event without identifying information or negative focus on you, which our privacy policy allows. You can contact the creator to ask them to crop or remove it. If it was used to target or mock you, please let us know and we'll review again.")

c("en", "US", IA, "user", "doxxing_privacy", "critical", "content_removed",
  "Doxxed after viral argument video",
  "I got filmed in an argument at a store and now accounts are posting my full name, employer, my kids' school and my address. My employer is getting calls. https://www.example-video.com/@justice4all_real/video/7311020049",
  "We're sorry you're facing this, and thank you for reporting it. We removed the posts that shared your address, workplace and your children's school, and took action on the accounts responsible. We're watching for re-uploads. Please consider informing local police and your children's school so they can help keep your family safe.")

c("en", "IN", IA, "user", "doxxing_privacy", "high", "content_removed",
  "My Aadhaar card in a video",
  "A shop owner made a video showing 'fraud customers' and my ID card is shown clearly with my number and photo.",
  "Thank you for reporting this. We removed the video because it exposed your government ID details, which we treat as private information. If you believe your ID could be misused, you may want to lock your biometrics through the official UIDAI website and monitor for any misuse.",
  edited=True)

c("en", "US", IA, "user", "doxxing_privacy", "high", "content_removed",
  "ex posted my private messages",
  "my ex posted screenshots of our private texts including my medical stuff (my diagnosis) and my new address is visible in one of them",
  "We're sorry this happened, and thank you for reaching out. We removed the video because it shared private health information and your address without consent, and we took action on the account. If you're worried about your safety, please contact local police, and you can report any re-uploads using this ticket number.")

# ---------------------------------------------------------------------------
# English — sexual content
# ---------------------------------------------------------------------------
c("en", "US", IA, "user", "sexual_content", "high", "account_suspended",
  "My ex posted my nudes",
  "My ex uploaded intimate videos of me that I never agreed to share, and tagged my workplace. I'm 24. Please get this down ASAP, I'm humiliated.",
  "We're very sorry this happened — sharing intimate images without consent is a serious violation and not your fault. We removed the content and banned the account, and we've added the images to our matching systems to help prevent re-uploads. You can also use StopNCII.org to help stop the images being shared on other platforms, and you may want to report this to the police.")

c("en", "GB", IA, "user", "sexual_content", "medium", "content_removed",
  "porn links in comments",
  "Under every popular video there are comments like 'my n00des in bio' with a link to an adult site. The profile pics are explicit.",
  "Thank you for the report. We removed the comments and banned the accounts that were promoting adult content and spam links. We are also tuning our filters to catch this pattern more quickly.")

c("en", "US", IA, "user", "sexual_content", "medium", "no_violation_found",
  "Bikini video",
  "Girl posting beach videos in a bikini, it's inappropriate for kids.",
  "Thanks for your report. We reviewed the video and swimwear in a beach setting is allowed under our guidelines, as long as it is not sexually explicit. If you'd like to see less of this kind of content, you can use 'Not interested' or Restricted Mode.")

c("en", "US", CS, "creator", "sexual_content", "high", "content_removed",
  "Deepfake porn of me",
  "Someone made an AI porn video with my face and is posting it on an account pretending to 'leak' my OnlyFans (I don't have one). My followers are seeing it.",
  "We're sorry you've been targeted like this. We removed the video and the account for sharing non-consensual sexualised synthetic media, and we've added it to our matching systems to block re-uploads. We'd recommend reporting it to the police and using StopNCII.org. Please send us any new copies you see, referencing this ticket.")

c("en", "PH", IA, "user", "sexual_content", "medium", "content_removed",
  "sexual livestream for gifts",
  "There's a LIVE where a woman is doing sexual dances and taking off clothes for gifts. It's at night but anyone can watch.",
  "Thank you for reporting this. We ended the LIVE and restricted the account from going live, because sexually explicit content and nudity aren't allowed on LIVE. Repeat violations can lead to a permanent ban.")

c("en", "AU", IA, "user", "sexual_content", "medium", "age_restricted",
  "Sex education video",
  "A nurse explains contraception with props. Is this ok for a platform with kids?",
  "Thank you for checking. We reviewed the video and it is educational sexual health content, which our guidelines allow. We have restricted it to users aged 18 and over, as we do for some sexual health topics.")

c("en", "US", IA, "user", "sexual_content", "medium", "content_removed",
  "Soliciting sex in comments",
  "An account comments under girls' videos offering money to 'meet up', with emojis like 🍑💰. I think it's prostitution.",
  "Thank you for reporting this. We removed the comments and banned the account for sexual solicitation. We appreciate you helping us keep the comments safe.")

c("en", "CA", API, "advertiser", "sexual_content", "medium", "content_removed",
  "Our ads appearing next to sexual content",
  "Brand safety team of a family cereal brand. Our monitoring API shows our in-feed ad was served adjacent to sexually suggestive videos from 3 creators. We request review of those videos under your adult content policy.",
  "Thank you for your report. We reviewed the three videos: two were removed for violating our adult content policy and the third was made ineligible for the For You feed and for ad adjacency. Your account manager can help you adjust inventory filters to a stricter tier if you'd like.",
  edited=True)

# ---------------------------------------------------------------------------
# English — dangerous acts
# ---------------------------------------------------------------------------
c("en", "US", IA, "user", "dangerous_acts", "high", "content_removed",
  "blackout challenge again",
  "Kids are doing the choking challenge again under a new hashtag. My 10 year old's friend showed him. One video explains how long to hold. Please do something.",
  "Thank you for reporting this. We removed the videos and redirected searches for the hashtag to a safety message, since challenges that can lead to serious injury or death are not allowed. Please talk with your son about how dangerous this is; you may also find our guide for parents on online challenges helpful.")

c("en", "GB", IA, "user", "dangerous_acts", "medium", "content_removed",
  "Kids jumping in front of cars",
  "Teens in our area are filming themselves jumping in front of moving cars and swerving at the last second. Two videos have millions of views.",
  "Thank you for reporting this. We removed the videos for showing dangerous activities that could lead to serious injury. We've also limited the related hashtags so they don't spread further.")

c("en", "US", IA, "user", "dangerous_acts", "medium", "no_violation_found",
  "Skateboard tricks",
  "Guy doing dangerous skateboard stunts on stairs without helmet. Kids will copy.",
  "Thanks for your report. We reviewed the video and it shows a skilled athlete performing skateboarding tricks, which is allowed. It includes a warning not to try this without proper equipment. You can use 'Not interested' to see less of it.")

c("en", "US", IA, "user", "dangerous_acts", "high", "content_removed",
  "Benadryl trend",
  "Someone is telling people to take 12+ Benadryl to hallucinate, calling it a 'challenge'. Teens in the comments saying they'll try it.",
  "Thank you for flagging this. We removed the video because encouraging the misuse of medication is dangerous and against our guidelines. Searches for the trend now show safety information. If anyone has taken too much medication, please call Poison Control at 1-800-222-1222 or 911.")

c("en", "IN", IA, "user", "dangerous_acts", "medium", "content_removed",
  "Stunts on railway tracks",
  "Boys lying between tracks while train passes over them for reels. This is in our area, very dangerous.",
  "Thank you for reporting this. We removed the video because it shows dangerous acts that could result in serious injury or death. We've also limited similar content in recommendations.")

c("en", "AU", IA, "user", "dangerous_acts", "medium", "content_removed",
  "Video of how to make a homemade 'flamethrower'",
  "Some teenager explains how to turn a deodorant can into a flamethrower. He nearly sets himself on fire.",
  "Thanks for the report. We removed the video because it encourages a dangerous activity that could cause serious burns. We appreciate you helping us keep young people safe.")

c("en", "US", CS, "creator", "dangerous_acts", "medium", "age_restricted",
  "Why is my stunt video restricted?",
  "I'm a professional stuntman with a safety team. My video shows a car jump, I said 'don't try this at home' in the caption. Why was it age-restricted?",
  "Thanks for reaching out. We reviewed your video and agree it shows professional stunt work, so it remains available; however, because it depicts high-risk activity, it's restricted for viewers under 18 and isn't eligible for the For You feed for younger users. Adding an on-screen safety warning helps viewers understand the risks.")

# ---------------------------------------------------------------------------
# English — scams / fraud
# ---------------------------------------------------------------------------
c("en", "US", IA, "user", "scam_fraud", "medium", "account_suspended",
  "Fake Elon crypto giveaway on LIVE",
  "There's a LIVE running an old interview of a tech billionaire with a QR code saying 'send 0.1 BTC, get 0.2 back'. It's been live for 6 hours, 12k viewers. Account is @tesla_rewards_official",
  "Thank you for reporting this. We ended the LIVE and banned the account for running a cryptocurrency giveaway scam. Please never send crypto to anyone promising to double it. If you or someone you know lost money, report it to the FBI's IC3 or your local police and contact the exchange you used.")

c("en", "GB", EM, "user", "scam_fraud", "high", "account_suspended",
  "Romance scam - my mum has sent £8,000",
  "My mum (67) has been talking to a 'US Army surgeon in Syria' she met through comments on your app. He's asked her for money for leave papers and a parcel fee. She's sent £8,000 and won't listen to us. Account @dr_mark_williams_usa.",
  "We're sorry your family is dealing with this. We reviewed and banned the account for fraudulent activity and removed linked accounts we found. Please contact your mum's bank immediately and report the fraud to Action Fraud on 0300 123 2040. We can't share details about the account, but we will respond to any request from the police investigating it.")

c("en", "US", IA, "user", "scam_fraud", "medium", "content_removed",
  "'Like videos for money' job offer",
  "Got a DM offering $300/day to like videos. They made me pay $50 'deposit' to 'unlock tasks' and now want $500 more. I think it's a scam.",
  "Thanks for reporting this, and we're sorry this happened to you. It's a task scam, and we removed the messages and took action on the account. Please don't send more money; contact your bank or payment app to try to dispute the payment, and report it to the FTC at reportfraud.ftc.gov.")

c("en", "IN", IA, "user", "scam_fraud", "medium", "account_suspended",
  "Fake loan app promoted in videos",
  "An account promotes an instant loan app 'no documents needed'. My cousin took 5,000 rupees and now they are demanding 20,000 and threatening to send morphed photos to contacts.",
  "Thank you for reporting this. We removed the promotional videos and banned the account for promoting a fraudulent lending service. Please ask your cousin to report this at cybercrime.gov.in or call 1930, and not to pay further amounts. If morphed images appear on our platform, report them immediately so we can remove them.")

c("en", "US", IA, "user", "scam_fraud", "medium", "content_removed",
  "fake concert ticket seller",
  "Account selling Taylor concert tickets, I paid $400 over Zelle and got blocked. The account is still posting 'tickets available'.",
  "We're sorry you lost money. We reviewed the account and removed the content offering fake tickets; we've also restricted the account. Please contact your bank about the Zelle payment as soon as possible and file a report with your local police and the FTC. For future purchases, use official resale platforms with buyer protection.",
  edited=True)

c("en", "NG", IA, "user", "scam_fraud", "medium", "account_suspended",
  "Investment scheme with 'guaranteed' 40% weekly return",
  "This account shows stacks of cash and says invest with them and get 40% every week. Many people in comments saying they paid and can't reach him.",
  "Thank you for reporting this. We banned the account for promoting a fraudulent investment scheme. Please warn anyone you know not to send money, and report losses to the EFCC or local police.")

c("en", "US", API, "advertiser", "scam_fraud", "high", "content_removed",
  "Scam ads using our shop name and fake 90% discount",
  "We are a home goods retailer. Our brand protection vendor detected 18 videos advertising 'store closing sale, 90% off' with our logo and linking to lookalike domains (not ours). Customers have complained they paid and received nothing.",
  "Thank you for the detailed report. We removed the 18 videos and the accounts that posted them, and blocked the lookalike domains from being shared on our platform. We'd recommend pointing affected customers to their card issuer to dispute charges. Your brand protection contact can submit future cases through the API for faster handling.")

c("en", "GB", IA, "user", "scam_fraud", "medium", "no_violation_found",
  "Is this MLM a scam?",
  "My friend keeps posting about a skincare business where you recruit people. Is this a scam? Can you ban it?",
  "Thanks for checking with us. We reviewed the posts and they promote a legal business opportunity without misleading income claims, so they don't violate our scam policy. If you see videos promising guaranteed earnings or asking for upfront fees with false promises, please report them.")

c("en", "AU", IA, "user", "scam_fraud", "medium", "content_removed",
  "Fake puppy seller",
  "Account posting cute puppies 'for adoption, just pay transport'. I sent $600 and then they wanted more for a 'crate fee'. They never existed.",
  "We're sorry this happened. We removed the content and took action on the account for fraudulent sales. Please contact your bank about the payment and report the scam to Scamwatch and ReportCyber.",
  edited=True)

# ---------------------------------------------------------------------------
# English — impersonation
# ---------------------------------------------------------------------------
c("en", "US", CS, "creator", "impersonation", "medium", "account_suspended",
  "Fake account of me asking fans for money",
  "There is an account with my name, my photos and 'backup account' in the bio DMing my followers saying they won a giveaway and need to pay shipping. My real account is @mayabakes. The fake is @mayabakes.backup.",
  "Thanks for letting us know. We confirmed the account was impersonating you and banned it. We recommend posting a short reminder that you only use one account and never ask followers for payment. If more appear, report them from the profile and mention this ticket.")

c("en", "GB", API, "advertiser", "impersonation", "medium", "account_suspended",
  "Accounts impersonating our airline customer support",
  "Several accounts named like '@BritSky_Support' reply to customers complaining about cancellations and ask them to DM card details for refunds. We are BritSky Airways (fictional for this ticket). 5 accounts listed.",
  "Thank you for reporting these accounts. We banned all five for impersonating your brand to commit fraud. We'd recommend completing brand verification for your official account so users can identify it more easily.")

c("en", "US", IA, "user", "impersonation", "medium", "no_violation_found",
  "Parody account of a senator",
  "This account pretends to be Senator X and posts silly videos. People might believe it!",
  "Thanks for your report. We reviewed the account and it's clearly labelled as parody in its name and bio, which our guidelines allow. If you see a parody account that isn't labelled or that misleads people, let us know.")

c("en", "IN", IA, "user", "impersonation", "medium", "account_suspended",
  "Someone using my photos as a fake profile",
  "A profile is using my pictures and a different name to talk to men and ask for money. My friends found it. I'm the person in the photos, I can send ID.",
  "Thank you for reporting this. We reviewed the account and banned it for impersonation and fraud. You don't need to send ID this time, but if you see other accounts using your photos, report them from the profile with the 'Me' option.")

c("en", "US", EM, "user", "impersonation", "medium", "account_suspended",
  "Account pretending to be my dead son",
  "My son passed away last year. Someone created an account with his name and photos and is messaging his friends. Please take it down, this is cruel.",
  "We're deeply sorry for the loss of your son, and for the distress this has caused. We removed the account for impersonation. If you'd like to request memorialisation or removal of your son's own account, you can use our deceased user request form.")

c("en", "CA", CS, "creator", "impersonation", "medium", "information_provided",
  "Fan account using my name?",
  "There's a fan account with my name in it but says 'fan page' in the bio. It's not hurting anyone, but can I get verified so people know which is real?",
  "Thanks for reaching out. Fan accounts that clearly state they're not you are allowed. You can request verification in Settings > Account > Verification; we review notability and authenticity, and we'll notify you of the result.")

c("en", "NG", IA, "user", "impersonation", "medium", "account_suspended",
  "Fake account of my pastor",
  "An account is using our church pastor's name and photo, asking members to pay for 'prayer seeds' via bank transfer.",
  "Thank you for reporting this. We banned the account for impersonation and fraud. Please encourage your congregation to ignore requests for payment from accounts they haven't verified, and report any further ones they encounter.")

c("en", "AU", API, "advertiser", "impersonation", "medium", "content_removed",
  "Giveaway impersonation of our brand",
  "Multiple accounts are copying our brand logo and posting 'free iPhones giveaway' linking to a phishing survey. We're a telco. Report ref BP-3390.",
  "Thank you for report BP-3390. We removed the impersonating content and accounts, and blocked the phishing link. If you see new accounts, submit them through the API with the same reference so we can link the cases.")

# ---------------------------------------------------------------------------
# English — misinformation
# ---------------------------------------------------------------------------
c("en", "US", PP, "government", "misinformation", "medium", "content_removed",
  "False claim about voting by text",
  "State elections office. We've found videos telling voters they can 'vote by text' to a short code on election day. This is false and designed to disenfranchise voters. Links attached.",
  "Thank you for alerting us. We removed the videos because they contain false information about how to vote, which our election integrity policy prohibits. We have also added an in-app election guide to related searches pointing to official voting information.")

c("en", "US", IA, "user", "misinformation", "low", "label_applied",
  "Video says the moon landing was fake",
  "This guy claims the moon landing was staged in a studio. It's obviously misinformation.",
  "Thanks for reporting. We reviewed the video; while this type of conspiracy theory doesn't create a risk of real-world harm, we've added a label pointing viewers to reliable information. It is also not eligible for the For You feed.")

c("en", "GB", IA, "user", "misinformation", "medium", "content_removed",
  "Claims that bleach cures autism",
  "Video recommends giving children diluted bleach to 'cure autism'. This is dangerous.",
  "Thank you for the report. We removed the video because it promotes a dangerous and false medical claim that could cause serious harm. If someone has ingested a harmful substance, contact NHS 111 or 999 in an emergency.")

c("en", "US", PP, "trusted_flagger", "misinformation", "medium", "label_applied",
  "AI-generated image of hurricane aftermath",
  "Fact-checking partner. Video shows an AI-generated image of a child in floodwater presented as real footage from this week's hurricane. Fact check attached.",
  "Thank you for the fact-check. We applied an unverified content label linking to your fact-check and made the video ineligible for recommendation. We also added an AI-generated content label.")

c("en", "IN", IA, "user", "misinformation", "medium", "content_removed",
  "Fake news about child kidnappers in village",
  "Video claiming a gang of kidnappers in a white van is stealing children in our district. People are getting violent with strangers. It's not true, police said so.",
  "Thank you for reporting this. We removed the video because it spreads false rumours that could lead to violence. We're monitoring for similar posts. Please continue to rely on official police updates.",
  edited=True)

c("en", "US", IA, "user", "misinformation", "low", "no_violation_found",
  "opinion about diet",
  "Guy says carnivore diet is the best and vegetables are bad. Misinformation?",
  "Thanks for reporting. We reviewed the video and it's a personal opinion about diet that doesn't promote dangerous practices, so it stays up. You can hide content like this using 'Not interested'.")

# ---------------------------------------------------------------------------
# English — intellectual property
# ---------------------------------------------------------------------------
c("en", "US", EM, "creator", "intellectual_property", "low", "content_removed",
  "DMCA notice - my song used without license",
  "I'm an independent musician. My track 'Neon Midnight' was uploaded in full with no credit by @beats4free_now as an original sound. I own the master and composition. Signed statement attached.",
  "Thank you for your copyright notice. We reviewed your submission and removed the video and the original sound. The uploader has been notified and may submit a counter-notice. Our Copyright Policy page explains next steps if that happens.")

c("en", "GB", API, "trusted_flagger", "intellectual_property", "low", "content_removed",
  "Live football piracy — 6 LIVEs",
  "Rights-holder partner API submission. 6 LIVE streams are restreaming the Premier League match kicking off 15:00 GMT. Stream IDs attached.",
  "Thank you for the submission. We ended all six LIVE streams and restricted the accounts from LIVE. Repeat infringers will be permanently banned under our repeat infringer policy.")

c("en", "US", API, "advertiser", "intellectual_property", "low", "content_removed",
  "Trademark infringement — counterfeit sneakers",
  "Brand protection team of a sportswear company. 24 videos advertise 'replica' and '1:1' sneakers with our trademarked logo and link to a third-party store. Trademark registration numbers attached.",
  "Thank you for your report. We reviewed the trademark registrations and removed the 24 videos that were selling counterfeit goods. The accounts received strikes, and repeat offenders will be banned.")

c("en", "US", CS, "creator", "intellectual_property", "low", "no_violation_found",
  "Someone copied my dance",
  "I choreographed a dance and now someone else is doing it and getting more views than me! Can you take it down?",
  "Thanks for reaching out. We understand how frustrating that can feel, but a creator performing a similar dance isn't a copyright violation on its own. If someone re-uploaded your actual video, you can report it through the copyright form.")

c("en", "CA", EM, "user", "intellectual_property", "low", "content_removed",
  "My photo was stolen",
  "I'm a wildlife photographer. An account used my photo of a lynx as the thumbnail and in the video without permission.",
  "Thank you for your copyright report. We removed the video after confirming the details in your notice. The uploader was notified and may file a counter-notice.")

c("en", "US", CS, "creator", "intellectual_property", "low", "request_rejected",
  "Copyright claim is fake",
  "Someone filed a copyright claim on my cooking video saying it's theirs. It's 100% mine, filmed in my kitchen. I want it back.",
  "Thanks for reaching out. We've reviewed your situation and your counter-notice is the right path: you'll need to submit it through the copyright counter-notification form so the claimant can be notified. We're unable to restore the video from this ticket directly, but once a valid counter-notice is received and the claimant doesn't take legal action within the required time, the video can be reinstated.",
  edited=True)

c("en", "US", API, "trusted_flagger", "intellectual_property", "low", "content_removed",
  "Full movie uploaded in parts",
  "Film studio anti-piracy partner. The account uploads a current theatrical release in 12 parts. URLs attached.",
  "Thank you for the report. We removed all 12 parts and applied a copyright strike to the account.")

c("en", "AU", EM, "user", "intellectual_property", "low", "request_rejected",
  "Remove video that uses my brand name in criticism",
  "A reviewer says my coffee shop (registered trademark) has bad coffee. I have a trademark so they can't use my name.",
  "Thanks for your message. Using a brand name to review or criticise a business is generally not trademark infringement, so we're unable to remove the video on that basis. If you believe it contains false statements of fact, you can submit a legal complaint through our form.")

# ---------------------------------------------------------------------------
# English — spam
# ---------------------------------------------------------------------------
c("en", "US", CS, "creator", "spam", "low", "account_suspended",
  "bots flooding my LIVE",
  "Every time I go live 50+ accounts with random names spam 'check my profile 🔥' in chat. They all have the same profile pic. Kills my chat.",
  "Thanks for reporting this. We banned the bot accounts we identified and strengthened spam filtering on your LIVE chat. You can also turn on the 'Filter spam' setting and add keyword filters in LIVE settings.")

c("en", "US", API, "trusted_flagger", "spam", "low", "account_suspended",
  "Spam network — 312 accounts",
  "Partner signal feed: 312 accounts created from the same device cluster, posting identical comments linking to a coupon site across trending videos. CSV attached with account IDs and sample comments.",
  "Thank you for the signal. We validated the cluster and banned 305 of the 312 accounts for platform manipulation and spam; 7 appeared to be genuine users and were not actioned. We've added the link domain to our blocklist.")

c("en", "GB", IA, "user", "spam", "low", "content_removed",
  "selling followers",
  "Account spams comments 'buy 10k followers for £5' with a link. It's on every video I watch.",
  "Thank you for reporting this. We removed the comments and took action on the account, as selling fake engagement violates our guidelines.")

c("en", "IN", IA, "user", "spam", "low", "content_removed",
  "Same video posted 40 times",
  "One account reposts the same promotional clip for a betting app 40 times a day, it keeps showing up in the hashtag.",
  "Thanks for the report. We removed the repetitive posts and restricted the account for spam. Promotion of betting apps is also restricted in your region.")

c("en", "US", IA, "user", "spam", "low", "information_provided",
  "random bot DMs",
  "I keep getting messages from accounts with no posts saying 'hey cutie add me on another app'. How do I stop this?",
  "Thanks for reaching out. These are spam accounts, and we've taken action on the ones you reported. To stop new messages, go to Settings > Privacy > Direct messages and choose 'Friends' or 'No one'. You can also block and report any new ones.")

c("en", "AU", CS, "creator", "spam", "low", "information_provided",
  "My comments keep getting hidden as spam",
  "When I reply to my followers with my shop link, the comment disappears. Am I flagged as spam?",
  "Thanks for contacting us. Comments with repeated links can be automatically filtered as spam. Your account isn't restricted, but we recommend using the link in your bio or the shop feature instead of posting links in comments.")

c("en", "US", IA, "user", "spam", "low", "no_violation_found",
  "follow for follow spam",
  "Creator keeps posting 'follow for follow' videos. Isn't that spam?",
  "Thanks for reporting. We reviewed the videos and asking for follows isn't against our rules on its own. We do take action when accounts use automation or fake engagement, so please report any bot-like behaviour you see.")

c("en", "PH", IA, "user", "spam", "low", "account_suspended",
  "Mass tagging spam",
  "An account tags 30 people in every comment to promote a 'loan' page. I get notifications all day.",
  "Thanks for the report. We banned the account for spam and removed its comments. You can limit who can mention you in Settings > Privacy > Mentions.")

# ---------------------------------------------------------------------------
# English — account access
# ---------------------------------------------------------------------------
c("en", "US", CS, "creator", "account_access", "medium", "account_restored",
  "HACKED - account posting crypto scams",
  "My account @chef_tony_r (180k followers) got hacked last night. They changed my email and phone and are now posting 'Bitcoin doubling' videos. My followers are DMing me that they sent money. Please help ASAP.",
  "Thank you for contacting us quickly. We verified your ownership, secured the account, removed the scam videos posted by the attacker and restored your access. Please set a new strong password, turn on 2-step verification and review your logged-in devices. You may want to post a notice to your followers that the scam videos were not from you.")

c("en", "GB", IA, "user", "account_access", "low", "information_provided",
  "lost phone, can't get 2FA code",
  "I dropped my phone in the sea and the new number is different. My account asks for a code sent to the old number. How do I log in?",
  "Sorry to hear about your phone! On the login screen, tap 'Can't receive code?' and follow the steps to verify through your email address instead. If you no longer have access to the email either, use 'Report a problem' from the login screen and choose 'Lost access to 2-step verification', and we'll verify your ownership with questions about your account.")

c("en", "US", IA, "user", "account_access", "low", "account_restored",
  "Banned for being under 13 but I'm 19",
  "My account got banned saying I'm under the minimum age. I'm 19, I just look young. I can send ID.",
  "Thank you for submitting your appeal and the verification document. We confirmed your age and restored your account. The ID was deleted after verification in line with our privacy policy.")

c("en", "CA", EM, "user", "account_access", "low", "information_provided",
  "don't remember email",
  "I made my account years ago and forgot which email I used. I know my username. Can you tell me the email?",
  "Thanks for reaching out. For security reasons, we can't share the email address linked to an account. Try logging in with 'Forgot password' using any email or phone number you might have used; if that doesn't work, use 'Report a problem' on the login screen and we'll verify you through other account details.")

c("en", "US", EM, "user", "account_access", "low", "information_provided",
  "Access to my late father's account",
  "My father passed away in March. I'd like to download his videos before the account is closed. Can you give me his password?",
  "We're very sorry for your loss. For privacy and security we can't provide passwords or log-in access to another person's account. You can request memorialisation or removal of his account through our deceased user request form, which requires a death certificate and proof of relationship.")

c("en", "IN", CS, "creator", "account_access", "low", "information_provided",
  "Former manager changed my password",
  "My former social media manager had my login and has changed the password after we stopped working together. He's not responding.",
  "Thanks for contacting Creator Support. Please use 'Forgot password' with the email or phone number originally registered. If those were changed too, use 'Report a problem' from the login screen and select 'Account hacked'; we'll verify your ownership through account history and help you recover access. Once recovered, enable 2-step verification and don't share credentials — use the business team management tools instead.")

c("en", "US", IA, "user", "account_access", "low", "information_provided",
  "Too many attempts",
  "it says too many attempts try again later, its been 2 hours",
  "Sorry for the trouble. This temporary lock protects your account after several incorrect attempts and usually lifts within 24 hours. After that, use 'Forgot password' to reset instead of guessing, and make sure the app is updated.")

c("en", "AU", CS, "creator", "account_access", "medium", "account_restored",
  "SIM swap - account taken",
  "My phone carrier ported my number to someone else and they used SMS codes to take over my account (1.2M followers). My carrier has confirmed the fraud. I need my account back.",
  "Thank you for reaching out and for confirming with your carrier. We verified your identity, reverted the unauthorised changes, removed the attacker's sessions and restored your account. We strongly recommend switching your 2-step verification to an authenticator app rather than SMS and adding a backup email.",
  edited=True)

# ---------------------------------------------------------------------------
# English — appeals
# ---------------------------------------------------------------------------
c("en", "US", CS, "creator", "appeal", "low", "appeal_upheld",
  "Self-defense class removed as violence",
  "I run a women's self-defense studio and my video showing how to break a wrist grab was removed for 'violent content'. Nobody gets hurt, it's a class!",
  "Thank you for your appeal. We reviewed the video again and agree it's instructional self-defense content that doesn't break our guidelines. We've restored the video and removed the strike from your account.")

c("en", "US", CS, "creator", "appeal", "low", "appeal_upheld",
  "Removal for a word that's reclaimed",
  "My video was removed for hate speech because I used the word 'queer' to describe myself. I'm queer. It's literally my identity.",
  "Thanks for your appeal, and sorry for the mistake. Our guidelines allow people to use reclaimed terms to refer to themselves. We've restored your video and removed the strike.",
  edited=True)

c("en", "GB", IA, "user", "appeal", "low", "appeal_denied",
  "Why was my LIVE access removed?",
  "I got banned from LIVE for 'minor safety' but I wasn't doing anything wrong, just having a drink with friends.",
  "Thank you for your appeal. We reviewed the LIVE again and confirmed that it showed a user under 18 consuming alcohol, which isn't allowed under our youth safety policy. The LIVE restriction will remain in place until the date shown in your account status.")

c("en", "CA", CS, "creator", "appeal", "low", "appeal_upheld",
  "Breast self-exam video removed",
  "I'm a breast cancer survivor. My video showing how to do a self-exam was removed for nudity. It's educational and could save lives.",
  "Thank you for your appeal and for sharing such important information. We reviewed the video and agree it's educational health content that's allowed under our guidelines. We've restored it.")

c("en", "US", IA, "user", "appeal", "low", "appeal_denied",
  "account banned for spam??",
  "I only posted my music link in comments. Why am I banned permanently?",
  "Thank you for your appeal. We reviewed your account and found it repeatedly posted identical promotional comments across hundreds of videos using automation, which violates our spam and platform manipulation policies. The ban will remain in place.")

c("en", "US", CS, "creator", "appeal", "low", "appeal_denied",
  "Health video removed",
  "My video about how ivermectin cures cancer got removed. I have a right to free speech.",
  "Thank you for your appeal. We reviewed the video again and confirmed that it makes false health claims that could lead people to delay effective treatment, which isn't allowed under our misinformation policy. The removal will stand. You're welcome to share personal health experiences that don't present unproven treatments as cures.")

c("en", "IN", CS, "creator", "appeal", "low", "appeal_upheld",
  "Prank skit removed as dangerous",
  "My comedy skit where I 'fall' off a chair is staged with mats and the caption says it's a skit. Removed for dangerous acts.",
  "Thanks for appealing. On second review, it's clear the video is a staged comedy skit with no real risk, so we've restored it and removed the violation from your account.")

c("en", "US", PP, "creator", "appeal", "low", "appeal_upheld",
  "News outlet: war report removed",
  "We're a registered news outlet. Our report on civilian casualties was removed for graphic violence, but it's blurred and has journalistic context. Requesting reinstatement.",
  "Thank you for your appeal. We reviewed the report again and agree it's newsworthy journalism. We reinstated it with a content warning and restricted it to viewers over 18.",
  edited=True)

# ---------------------------------------------------------------------------
# English — legal requests
# ---------------------------------------------------------------------------
c("en", "US", LE, "law_enforcement", "legal_request", "medium", "data_disclosed_under_legal_process",
  "Subpoena — subscriber info, fraud investigation",
  "Attached is a grand jury subpoena for basic subscriber information (name, email, phone, IP logs for the past 90 days) for account @quickcash_vip in connection with wire fraud investigation, case 2024-WF-4471.",
  "Thank you for your submission regarding case 2024-WF-4471. We reviewed the subpoena and found it valid for basic subscriber information. We produced the responsive records through the law enforcement portal. Content of communications requires a search warrant.",
  edited=True)

c("en", "GB", LE, "law_enforcement", "legal_request", "medium", "data_disclosed_under_legal_process",
  "Request for account data — harassment investigation",
  "Metropolitan police investigator. We are investigating a malicious communications offence (ref CAD 7731/24) and request subscriber data for @xx_mad_rage_xx. Request made under applicable legislation, signed by authorising officer.",
  "Thank you for your request under reference CAD 7731/24. We reviewed it against applicable law and our policies and disclosed the basic subscriber information responsive to your request through the portal.")

c("en", "US", LE, "law_enforcement", "legal_request", "critical", "data_disclosed_under_legal_process",
  "EMERGENCY — missing 14 year old",
  "Emergency disclosure request. 14-year-old female missing since last night, believed to have left with an adult met on your platform. We need last login IP addresses and any location data for @lilbabyxo_2010 and the accounts she messaged most recently. Sgt. R. Diaz, incident 24-99213.",
  "Thank you for your emergency request regarding incident 24-99213. Given the imminent risk to a child, we approved the emergency disclosure and provided the requested login and IP data for the accounts involved through the portal. Please submit follow-up legal process for any additional records. We hope she is found safe.")

c("en", "US", LE, "law_enforcement", "legal_request", "medium", "request_rejected",
  "Emergency request - stolen bike",
  "Emergency: a bicycle was stolen and is being sold on your platform. Need user info immediately.",
  "Thank you for your request. Emergency disclosure is limited to situations involving imminent risk of death or serious physical injury, which this request does not describe. Please submit valid legal process, such as a subpoena, through the portal, and we'll review it promptly.")

c("en", "CA", LE, "law_enforcement", "legal_request", "medium", "information_provided",
  "Preservation request",
  "RCMP. Requesting preservation of all records for @north_trader_88 for 90 days pending production order, file 2024-1188.",
  "Thank you. We preserved the records associated with the account for 90 days for file 2024-1188. Please submit the production order through the portal before the preservation period expires.")

c("en", "US", LE, "law_enforcement", "legal_request", "medium", "request_rejected",
  "Request for DMs",
  "Local PD, need the direct messages between two users related to a fight at a high school. Attaching an official letterhead request.",
  "Thank you for your request. Under applicable US law, we can only disclose the content of communications in response to a search warrant. Your request did not include one, so we're unable to disclose the messages. We've preserved the relevant records for 90 days pending valid legal process.")

c("en", "IN", LE, "law_enforcement", "legal_request", "medium", "data_disclosed_under_legal_process",
  "Notice for information - cyber cell",
  "Cyber Crime Police Station notice to furnish registration details and IP logs of account @fastloan_rupee in connection with extortion complaint FIR 212/2024.",
  "Thank you for your notice regarding FIR 212/2024. We reviewed it under applicable law and disclosed the subscriber information and IP logs responsive to your request through the portal.")

c("en", "IE", PP, "government", "legal_request", "medium", "information_provided",
  "DSA inquiry - statement of reasons for removal",
  "Digital Services Coordinator. We received a complaint from a user about the removal of a video and need information on the statement of reasons provided, the automated tools used and the internal complaint outcome under DSA articles 17 and 20. Reference DSC-2024-0415.",
  "Thank you for your inquiry DSC-2024-0415. We provided the statement of reasons sent to the user, details of the automated and human review involved, and the outcome of the internal complaint through the partner portal. Please let us know if you need further information.")

c("en", "AU", PP, "government", "legal_request", "medium", "content_removed",
  "Removal notice - intimate image",
  "Online safety regulator. We issue a removal notice for the image at the URL attached, shared without consent. Compliance required within 24 hours.",
  "Thank you for the removal notice. We removed the content within the required timeframe and banned the uploading account. Confirmation has been sent through the portal.")

c("en", "US", EM, "user", "legal_request", "medium", "content_removed",
  "Court order - defamation",
  "I'm an attorney for a client who obtained a court order declaring a video defamatory and ordering its removal. Attached is the order.",
  "Thank you for providing the court order. We reviewed it and removed the video in accordance with the order. Please contact us if you need a confirmation letter.")

c("en", "US", LE, "law_enforcement", "legal_request", "high", "data_disclosed_under_legal_process",
  "Search warrant - child exploitation investigation",
  "HSI special agent. Search warrant for content and records of @tinyangel_x and linked accounts, investigation of child exploitation. Warrant attached, case HSI-24-771.",
  "Thank you for your submission for case HSI-24-771. We reviewed the warrant and produced the responsive records through the law enforcement portal. The accounts were already banned and reported to NCMEC.")

# ---------------------------------------------------------------------------
# English — no violation / how-to
# ---------------------------------------------------------------------------
c("en", "US", IA, "user", "no_violation", "low", "information_provided",
  "how do I delete my account",
  "how do i delete my account permanently??",
  "Thanks for reaching out. Go to Profile > Menu > Settings and privacy > Account > Deactivate or delete account, and follow the steps. Your account will be deactivated for 30 days before it's permanently deleted, so you can change your mind during that time.")

c("en", "GB", IA, "user", "no_violation", "low", "information_provided",
  "how to turn on two step verification",
  "Someone tried to log into my account. How do I set up 2FA?",
  "Thanks for asking. Go to Settings and privacy > Security > 2-step verification, and choose at least two methods (an authenticator app is most secure). We also recommend checking Manage devices and removing any you don't recognise.")

c("en", "US", CS, "creator", "no_violation", "low", "information_provided",
  "Why did my views drop?",
  "My views went from 50k average to 2k overnight. Am I shadowbanned?",
  "Thanks for reaching out. We checked your account and there are no restrictions or violations on it. View counts can vary a lot depending on how content performs with audiences. You can check Account status at any time to see if any of your content has been restricted.")

c("en", "CA", IA, "user", "no_violation", "low", "no_violation_found",
  "neighbour filming my dog",
  "My neighbour posted a video of my dog barking with the caption 'this is my life now'. I want it removed.",
  "Thanks for your report. We reviewed the video and it doesn't break our guidelines, as it doesn't include identifying information or target you with harassment. You may want to speak with your neighbour directly if it bothers you.")

c("en", "US", IA, "user", "no_violation", "low", "no_violation_found",
  "Dark humour video",
  "Comedian makes a joke about his own cancer diagnosis, it's so dark. Should this be allowed?",
  "Thanks for your report. We reviewed the video and it's comedic content about the creator's own experience, which our guidelines allow. You can tap 'Not interested' if it's not for you.")

c("en", "IN", CS, "creator", "no_violation", "low", "information_provided",
  "How do I join the creator rewards program?",
  "I have 12k followers. What are the requirements for monetization?",
  "Thanks for your interest! Eligibility requirements depend on your region and include minimum follower and view counts, age 18+, and an account in good standing. You can check your eligibility in the Creator tools section of the app.")

c("en", "US", EM, "user", "no_violation", "low", "information_provided",
  "screen time limits for my son",
  "How can I limit how much time my 13 year old spends on the app?",
  "Thanks for reaching out. Accounts for users under 18 have a default 60-minute daily limit, and you can use Family Pairing to link your account with your son's and set screen time limits, restrict content and manage messaging.")

c("en", "AU", IA, "user", "no_violation", "low", "information_provided",
  "How do I report a video?",
  "I don't know how to report a video, where is the button?",
  "Thanks for asking. Press and hold the video (or tap the Share arrow), then choose 'Report' and pick the reason that fits best. Reports are confidential — the person won't know who reported them.",
  edited=True)

# ---------------------------------------------------------------------------
# Español
# ---------------------------------------------------------------------------
c("es", "MX", IA, "user", "child_safety", "critical", "escalated_law_enforcement",
  "Un adulto le escribe a mi hija de 12 años",
  "Mi hija de 12 años me enseñó mensajes de una cuenta @profe_fit_mx. Le dice que es 'muy madura', le pidió fotos en traje de baño y que borre los chats para que yo no los vea. Ya tomé capturas. Por favor hagan algo.",
  "Gracias por avisarnos y por actuar tan rápido para proteger a su hija. Nuestro equipo de seguridad infantil revisó los mensajes, eliminó la cuenta y remitió el caso a las autoridades correspondientes, como hacemos con cualquier sospecha de grooming. Le recomendamos conservar las capturas y presentar también una denuncia ante la policía cibernética de su estado. En la configuración de Sincronización familiar puede limitar quién le envía mensajes a su hija.")

c("es", "ES", EM, "user", "child_safety", "critical", "escalated_law_enforcement",
  "Están chantajeando a mi hijo de 15 años con fotos",
  "Mi hijo tiene 15 años. Una supuesta chica le convenció para mandar fotos íntimas y ahora le piden 200 euros en tarjetas regalo o las publican y se las mandan a sus compañeros del instituto. Está hundido. La cuenta es @laura_bcn_07.",
  "Sentimos mucho lo que está pasando su familia; por favor, transmita a su hijo que no es culpa suya. Hemos eliminado la cuenta y trasladado el caso a las autoridades competentes. Les recomendamos no pagar ni responder, guardar todos los mensajes y denunciarlo ante la Policía Nacional o la Guardia Civil. También pueden llamar al 017, la línea de ayuda en ciberseguridad del INCIBE, para recibir orientación.")

c("es", "AR", IA, "user", "self_harm", "critical", "escalated_emergency_services",
  "mi amiga esta en vivo despidiendose",
  "mi amiga @vale.ok esta haciendo un vivo diciendo que ya no aguanta mas y que es su ultimo video, se la ve en un balcon. vive en rosario. AYUDA",
  "Gracias por actuar tan rápido: tu aviso puede marcar la diferencia. Nuestro equipo revisó el vivo de inmediato, lo finalizó y compartió la información disponible con los servicios de emergencia. Si sabés dónde está, llamá también al 911 y tratá de mantenerte en contacto con ella. Si necesitás apoyo vos también, podés llamar al 135 (línea de prevención del suicidio).")

c("es", "CO", IA, "user", "self_harm", "high", "content_removed",
  "Cuenta que promueve no comer",
  "Esta cuenta sube videos de 'reto 500 calorías' y da consejos para vomitar sin que los papás se den cuenta. Muchas niñas comentan que lo van a intentar.",
  "Gracias por reportar esta cuenta. Revisamos los videos y eliminamos los que promovían conductas de trastornos alimentarios; además, la cuenta ya no aparece en recomendaciones. Las búsquedas relacionadas ahora muestran recursos de apoyo. Si tú o alguien cercano está pasando por esto, hablar con un profesional de salud puede ayudar mucho.",
  edited=True)

c("es", "ES", PP, "trusted_flagger", "violent_extremism", "high", "content_removed",
  "Propaganda yihadista con subtítulos en español",
  "Remitimos cinco vídeos con nasheeds y material audiovisual de una organización terrorista designada, subtitulados en español y con llamamientos a 'unirse'. Incluyen un usuario de Telegram para contacto. Enlaces en el documento adjunto.",
  "Gracias por la remisión. Hemos eliminado los cinco vídeos y las cuentas que los publicaron por difundir propaganda de una organización extremista violenta, y hemos bloqueado el contacto externo. Los hashes del material se han incorporado a nuestros sistemas de detección para impedir nuevas subidas.")

c("es", "MX", IA, "user", "violent_threat", "critical", "escalated_law_enforcement",
  "Amenaza de tiroteo en secundaria",
  "Un alumno subió un video con una pistola y escribió 'mañana en la secu 14 nadie sale vivo'. Es en Monterrey. https://www.example-video.com/@elsilencio_77/video/7301188823",
  "Gracias por reportarlo de inmediato. Eliminamos el video y lo escalamos a las autoridades como una amenaza inminente. Por favor, contacte también al 911 y a la dirección de la escuela lo antes posible. Colaboraremos con cualquier investigación.")

c("es", "CO", IA, "user", "graphic_violence", "medium", "age_restricted",
  "Video de accidente con personas heridas",
  "Una página de noticias de Medellín subió el video de un accidente de bus donde se ven heridos en el piso. No sé si eso está permitido.",
  "Gracias por consultarnos. Revisamos el video: es contenido informativo de un medio sobre un hecho de interés público, por lo que sigue disponible, pero le añadimos una advertencia de contenido sensible y está restringido para menores de 18 años.")

c("es", "CL", IA, "user", "hate_speech", "medium", "content_removed",
  "Video insultando a migrantes venezolanos",
  "Un tipo dice que los venezolanos son 'plaga' y que 'hay que sacarlos a palos' del barrio. Tiene como 80 mil vistas.",
  "Gracias por tu reporte. Eliminamos el video porque ataca a personas por su nacionalidad con lenguaje deshumanizante e incita a la violencia, y aplicamos una sanción a la cuenta.")

c("es", "ES", PP, "ngo", "hate_speech", "high", "content_removed",
  "Campaña coordinada contra población gitana",
  "Desde nuestra organización hemos detectado 23 vídeos con el mismo audio y textos que acusan a la población gitana de un barrio de Sevilla de 'robar niños' y llaman a 'hacer limpieza'. Varias cuentas se crearon la misma semana. Adjuntamos listado.",
  "Gracias por su detallado informe. Hemos eliminado 21 de los 23 vídeos por discurso de odio e incitación, y suspendido las cuentas creadas para difundir la campaña; los dos restantes no contenían los mensajes señalados. Seguiremos vigilando posibles nuevas publicaciones con estos patrones.",
  edited=True)

c("es", "MX", IA, "user", "harassment_bullying", "medium", "content_removed",
  "Se burlan de mi hija en un video",
  "Unas compañeras grabaron a mi hija llorando en el baño de la escuela y lo subieron con risas y la palabra 'dramática'. Todo el salón lo vio.",
  "Lamentamos mucho lo que está viviendo su hija, y gracias por avisarnos. Eliminamos el video por acoso y tomamos medidas sobre la cuenta que lo publicó. Le sugerimos informar a la escuela para que puedan apoyarla.")

c("es", "ES", CS, "creator", "harassment_bullying", "medium", "content_removed",
  "Acoso coordinado en mis comentarios",
  "Desde que hice un vídeo sobre feminismo, cientos de cuentas me insultan ('gorda', 'puta') y un canal grande los anima. Ya no puedo ni leer mis notificaciones.",
  "Gracias por contactarnos y sentimos mucho lo que estás viviendo. Eliminamos los comentarios abusivos que identificamos y tomamos medidas contra las cuentas responsables, incluido el contenido que animaba al acoso. Te recomendamos activar los filtros de comentarios y limitar temporalmente las menciones. Si el acoso continúa, repórtalo haciendo referencia a este caso.")

c("es", "MX", IA, "user", "doxxing_privacy", "critical", "content_removed",
  "Publicaron la dirección de mi casa",
  "Después de un pleito en redes, alguien subió un video mostrando mi casa, la calle y el número, y escribió 'aquí vive, vayan a visitarla'. Tengo miedo.",
  "Lamentamos mucho lo sucedido y gracias por reportarlo tan rápido. Eliminamos el video por compartir tu dirección sin consentimiento y tomamos medidas contra la cuenta; también estamos vigilando nuevas publicaciones. Te recomendamos denunciar ante la policía por los comentarios de 'visitarte' y poner tu cuenta en privado temporalmente.")

c("es", "AR", EM, "user", "sexual_content", "high", "account_suspended",
  "Mi ex subió fotos íntimas mías",
  "Mi ex novio subió fotos mías desnuda sin mi permiso y me etiquetó. Tengo 23 años. Por favor bórrenlas ya.",
  "Lamentamos muchísimo lo que te pasó; compartir imágenes íntimas sin consentimiento es una violación grave y no es tu culpa. Eliminamos el contenido y suspendimos la cuenta, y agregamos las imágenes a nuestros sistemas para evitar que se vuelvan a subir. Podés hacer la denuncia en la fiscalía de tu provincia y usar StopNCII.org para ayudar a frenar su difusión en otras plataformas.")

c("es", "MX", IA, "user", "dangerous_acts", "high", "content_removed",
  "Reto de asfixia otra vez",
  "Los niños de la primaria de mi sobrino están haciendo un reto de aguantar la respiración hasta desmayarse. Hay videos con el hashtag y uno explica cómo hacerlo.",
  "Gracias por avisarnos. Eliminamos los videos y ahora las búsquedas del hashtag muestran un mensaje de seguridad, ya que los retos que pueden causar lesiones graves no están permitidos. Le sugerimos hablar con los niños sobre el peligro y compartirlo con la escuela.")

c("es", "MX", IA, "user", "scam_fraud", "medium", "account_suspended",
  "Duplican tu dinero en cripto",
  "Hay una cuenta que promete duplicar tu dinero en 24 horas si le mandas USDT. Mi primo le mandó 3 mil pesos y ya no le contestan.",
  "Gracias por el reporte. Suspendimos la cuenta por promover una estafa de inversión. Recomendamos a tu primo no enviar más dinero, reportar la transacción a la plataforma o exchange que utilizó y presentar una denuncia ante la policía cibernética.")

c("es", "ES", IA, "user", "scam_fraud", "medium", "content_removed",
  "Venta falsa de entradas",
  "Compré dos entradas para un concierto a una cuenta que vendía 'entradas sobrantes'. Pagué 180€ por Bizum y me bloquearon. Siguen publicando.",
  "Sentimos lo ocurrido. Eliminamos el contenido que ofrecía las entradas y restringimos la cuenta. Contacta con tu banco cuanto antes por el pago y presenta una denuncia ante la policía; para próximas compras, utiliza plataformas oficiales de reventa.")

c("es", "PE", IA, "user", "scam_fraud", "medium", "content_removed",
  "Ofertas de trabajo falsas",
  "Publican 'trabajo desde casa, gana 200 soles diarios solo dando likes' y luego piden pagar para 'activar' la cuenta. Es una estafa.",
  "Gracias por tu reporte. Eliminamos los videos y tomamos medidas contra la cuenta, ya que se trata de una estafa de tareas. Nunca pagues por acceder a un trabajo; si perdiste dinero, comunícate con tu banco y denuncia ante la Policía Nacional.")

c("es", "MX", CS, "creator", "impersonation", "medium", "account_suspended",
  "Cuenta falsa pidiendo dinero a mis seguidores",
  "Soy creadora de contenido de maquillaje (@dani_makeup_mx). Una cuenta con mi nombre y fotos escribe a mis seguidores diciendo que ganaron un sorteo y que paguen el envío.",
  "Gracias por avisarnos. Confirmamos que la cuenta te suplantaba y la suspendimos. Te sugerimos publicar un aviso recordando que solo tienes una cuenta y que nunca pides pagos. Si aparecen más, repórtalas desde el perfil mencionando este caso.")

c("es", "CO", IA, "user", "misinformation", "low", "label_applied",
  "Remedio casero para el dengue",
  "Un video dice que el dengue se cura tomando hojas de papaya y que no hay que ir al médico. Puede ser peligroso.",
  "Gracias por tu reporte. Añadimos una etiqueta al video que dirige a información fiable de las autoridades sanitarias y dejó de ser elegible para recomendaciones. Ante síntomas de dengue, siempre es importante acudir a un centro de salud.")

c("es", "MX", PP, "government", "misinformation", "medium", "content_removed",
  "Información falsa sobre cómo votar",
  "Somos el órgano electoral local. Circulan videos que afirman que este año se puede votar desde la app enviando una foto de la credencial. Es falso. Adjuntamos enlaces.",
  "Gracias por el aviso. Eliminamos los videos porque contienen información falsa sobre el procedimiento de votación, lo que infringe nuestra política de integridad electoral. Además, las búsquedas relacionadas muestran una guía con enlaces a la información oficial.")

c("es", "ES", EM, "creator", "intellectual_property", "low", "content_removed",
  "Usaron mi canción sin permiso",
  "Soy músico independiente y una cuenta ha subido mi canción completa 'Verano en Cádiz' como sonido original, sin créditos. Soy el titular de los derechos. Adjunto la notificación firmada.",
  "Gracias por tu notificación de derechos de autor. La revisamos y eliminamos el vídeo y el sonido. Se ha informado al usuario, que puede presentar una contranotificación si considera que se trata de un error.")

c("es", "AR", IA, "user", "spam", "low", "account_suspended",
  "Bots de 'gana seguidores'",
  "En todos los videos populares hay comentarios de cuentas sin fotos que dicen 'ganá 10k seguidores gratis' con un link raro.",
  "Gracias por el reporte. Suspendimos las cuentas automatizadas y eliminamos sus comentarios por spam. También agregamos el enlace a nuestra lista de bloqueo.")

c("es", "MX", IA, "user", "account_access", "medium", "account_restored",
  "Me hackearon y publican estafas",
  "Me robaron la cuenta, cambiaron el correo y el número y ahora suben videos de 'inversiones' con mi cara. Mis amigos creen que soy yo. Ayúdenme por favor.",
  "Gracias por contactarnos. Verificamos que eres el titular, aseguramos la cuenta, eliminamos los videos publicados por el atacante y restablecimos tu acceso. Te recomendamos cambiar la contraseña, activar la verificación en dos pasos y revisar los dispositivos conectados. También puedes avisar a tus seguidores de que esos videos no eran tuyos.")

c("es", "ES", IA, "user", "account_access", "low", "information_provided",
  "Perdí el móvil y no me llega el código",
  "Cambié de número y la app me pide un código que llega al número antiguo. ¿Cómo entro?",
  "Sentimos las molestias. En la pantalla de inicio de sesión, pulsa '¿No recibes el código?' y verifica tu identidad con tu correo electrónico. Si tampoco tienes acceso al correo, usa 'Informar de un problema' y selecciona 'Perdí acceso a la verificación en dos pasos'; te haremos preguntas sobre la cuenta para confirmar que es tuya.")

c("es", "CL", IA, "user", "account_access", "low", "information_provided",
  "no me acuerdo de mi contraseña",
  "no me acuerdo la contraseña y el correo ya no lo uso, ke hago",
  "Gracias por escribirnos. Prueba con 'Olvidé mi contraseña' usando tu número de teléfono si lo tenías vinculado. Si no, usa 'Informar de un problema' desde la pantalla de inicio de sesión y te ayudaremos a verificar que la cuenta es tuya con información sobre su historial.")

c("es", "MX", CS, "creator", "appeal", "low", "appeal_upheld",
  "Me eliminaron un video de boxeo",
  "Soy entrenador de box y eliminaron mi video de técnica de jab por 'violencia'. Es un entrenamiento con guantes y costal, nadie sale lastimado.",
  "Gracias por tu apelación. Revisamos de nuevo el video y coincidimos en que es contenido deportivo e instructivo que no infringe nuestras normas. Lo restauramos y retiramos la advertencia de tu cuenta.")

c("es", "CO", IA, "user", "appeal", "low", "appeal_denied",
  "Apelo la suspensión de mi cuenta",
  "Me suspendieron la cuenta por spam pero yo solo promociono mi tienda.",
  "Gracias por tu apelación. Revisamos tu cuenta y confirmamos que publicó de forma automatizada el mismo comentario promocional en cientos de videos, lo que infringe nuestras políticas de spam. La suspensión se mantiene. Para promocionar tu tienda puedes usar las herramientas de negocio y anuncios de la plataforma.")

c("es", "MX", LE, "law_enforcement", "legal_request", "medium", "data_disclosed_under_legal_process",
  "Solicitud de información - carpeta de investigación",
  "Fiscalía estatal. Con fundamento en la orden judicial adjunta, se solicitan datos de registro, direcciones IP y correo electrónico de la cuenta @ventas_rapidas_gdl, relacionada con la carpeta de investigación FED/0412/2024 por fraude.",
  "Gracias por su solicitud relativa a la carpeta FED/0412/2024. Revisamos la orden judicial conforme a la legislación aplicable y a nuestras políticas, y entregamos a través del portal la información de registro y los registros de IP correspondientes.")

c("es", "ES", IA, "user", "no_violation", "low", "information_provided",
  "¿Cómo pongo mi cuenta privada?",
  "Hola, quiero que solo me vean mis amigos, ¿cómo pongo la cuenta privada?",
  "¡Hola! Ve a Perfil > Menú > Ajustes y privacidad > Privacidad y activa 'Cuenta privada'. Así solo las personas que apruebes podrán seguirte y ver tus vídeos.")

c("es", "MX", IA, "user", "no_violation", "low", "no_violation_found",
  "Video de chistes de suegras",
  "Un comediante hace chistes de suegras y me parece ofensivo para las mujeres mayores.",
  "Gracias por tu reporte. Revisamos el video y se trata de humor que no ataca a las personas de forma deshumanizante, por lo que no infringe nuestras normas. Si no quieres ver este tipo de contenido, puedes usar la opción 'No me interesa'.",
  edited=True)

# ---------------------------------------------------------------------------
# Português
# ---------------------------------------------------------------------------
c("pt", "BR", PP, "trusted_flagger", "child_safety", "critical", "escalated_law_enforcement",
  "Adultos sexualizando vídeos de crianças em trend de dança",
  "Identificamos um grupo de contas que comenta sistematicamente em vídeos de crianças (6 a 10 anos) participando de uma trend de dança, com emojis sexuais e pedidos de 'mais vídeos assim no privado'. Algumas contas oferecem pix em troca. Lista com 19 perfis anexada.",
  "Obrigado pela denúncia detalhada. Nossa equipe de segurança infantil revisou os 19 perfis, baniu as contas envolvidas e encaminhou o caso às autoridades competentes. Também removemos os comentários e restringimos os comentários nos vídeos das crianças. Seguimos monitorando o padrão com base nas informações enviadas.")

c("pt", "BR", PP, "ngo", "child_safety", "critical", "escalated_law_enforcement",
  "Perfil vendendo 'packs' com menores",
  "ONG parceira. O perfil @packs_novinhas_vip divulga na bio um link de venda de 'packs' e usa fotos de adolescentes de uniforme escolar. Há indícios fortes de material de abuso sexual infantil sendo comercializado fora da plataforma.",
  "Obrigado pela denúncia. Removemos a conta e todo o conteúdo associado, bloqueamos o link externo e reportamos o caso às autoridades e aos canais de proteção à criança competentes. Agradecemos a parceria e entraremos em contato pelo portal se precisarmos de mais informações.")

c("pt", "BR", IA, "user", "self_harm", "critical", "escalated_emergency_services",
  "Pessoa disse que vai se matar hoje",
  "Um seguidor me mandou DM dizendo que hoje à noite vai tomar todos os remédios da mãe e que sou a única pessoa para quem ele contou. Perfil @gui_sp_2006. Ele mora em Campinas. Não sei o que fazer.",
  "Obrigado por nos avisar tão rápido — você agiu certo. Tratamos o caso como emergência e compartilhamos as informações disponíveis com os serviços de emergência. Se puder, ligue também para o 190 ou o SAMU (192) informando a cidade, e continue conversando com ele. O CVV atende 24 horas pelo 188, tanto para ele quanto para você.")

c("pt", "PT", IA, "user", "self_harm", "high", "content_removed",
  "Comentários a incentivar automutilação",
  "Num vídeo de uma rapariga a falar da depressão, há comentários a dizer 'corta mais fundo' e 'ninguém ia sentir a tua falta'. Isto é horrível.",
  "Obrigado por denunciar. Removemos os comentários que incentivavam a automutilação e tomámos medidas contra as contas responsáveis. Enviámos também recursos de apoio à autora do vídeo. Se precisar de apoio, o SOS Voz Amiga e o SNS 24 (808 24 24 24) estão disponíveis.")

c("pt", "BR", IA, "user", "violent_threat", "high", "account_suspended",
  "Ex-namorado me ameaçando",
  "Meu ex fica comentando nos meus vídeos 'vou te pegar na saída da faculdade' e 'você não perde por esperar'. Já bloqueei mas ele cria conta nova. Tenho medida protetiva contra ele.",
  "Sentimos muito que você esteja passando por isso. Removemos os comentários e suspendemos as contas envolvidas, incluindo as criadas para contornar o bloqueio. Como você já tem medida protetiva, recomendamos registrar o descumprimento na delegacia (ou ligar 190 em caso de perigo) e guardar as capturas de tela. O Ligue 180 também oferece orientação.")

c("pt", "BR", PP, "ngo", "violent_extremism", "high", "content_removed",
  "Contas exaltando autores de ataques a escolas",
  "Monitoramos contas que publicam edições exaltando autores de ataques a escolas no Brasil, com símbolos neonazistas e contagem de vítimas. Nos comentários, adolescentes dizem que 'vão ser os próximos'. 11 links anexados.",
  "Obrigado pela denúncia. Removemos as 11 contas por enaltecer autores de ataques violentos e promover ideologia extremista. Os comentários com possível intenção de violência foram analisados separadamente e, quando cabível, encaminhados às autoridades. Adicionamos os termos e símbolos aos nossos sistemas de detecção.",
  edited=True)

c("pt", "BR", IA, "user", "graphic_violence", "high", "content_removed",
  "Vídeo de corpo sem censura",
  "Perfil de 'notícias policiais' postou o corpo de um rapaz baleado sem borrar nada, com música e risada. A família dele está vendo isso.",
  "Obrigado pela denúncia e sentimos muito. Removemos o vídeo por mostrar violência gráfica de forma sensacionalista e sem respeito à vítima, e aplicamos uma sanção à conta.")

c("pt", "BR", IA, "user", "hate_speech", "medium", "content_removed",
  "Racismo contra jogador",
  "Depois do jogo, o perfil do jogador está cheio de comentários com macaco e banana. Isso é crime!",
  "Obrigado por denunciar. Removemos os comentários racistas identificados e tomamos medidas contra as contas responsáveis, incluindo banimentos. Também reforçamos os filtros de comentários no perfil. Racismo não tem lugar na nossa plataforma.")

c("pt", "BR", IA, "user", "hate_speech", "medium", "content_removed",
  "Xenofobia contra nordestinos",
  "Um cara fez vídeo dizendo que nordestino é 'raça inferior' que só vive de bolsa e que deveriam ser proibidos de votar.",
  "Obrigado pela denúncia. Removemos o vídeo por discurso de ódio baseado em origem regional e aplicamos uma sanção à conta.")

c("pt", "BR", IA, "user", "harassment_bullying", "medium", "content_removed",
  "Exposed da professora",
  "Alunos fizeram um 'exposed' da minha professora com fotos dela tiradas escondido e legendas chamando ela de louca e gorda. Ela tá muito mal.",
  "Obrigado por denunciar em nome dela. Removemos o vídeo por assédio e tomamos medidas contra a conta. A professora também pode denunciar diretamente qualquer novo conteúdo sobre ela, e sugerimos que a escola trate do assunto com os alunos.")

c("pt", "BR", CS, "creator", "harassment_bullying", "medium", "content_removed",
  "Ataques nas minhas lives",
  "Sempre que eu entro ao vivo, um grupo entra junto para me xingar e falar do meu corpo. São sempre as mesmas pessoas com contas novas.",
  "Obrigado por nos contar e sentimos muito. Removemos os comentários e banimos as contas identificadas, inclusive as criadas para contornar bloqueios. Nas lives, você pode adicionar moderadores, ativar filtros de palavras e silenciar espectadores na hora.")

c("pt", "BR", IA, "user", "doxxing_privacy", "high", "content_removed",
  "Postaram meu CPF e telefone",
  "Uma conta postou print com meu nome completo, CPF e celular dizendo que eu dou golpe. Estou recebendo ameaças.",
  "Sentimos muito. Removemos o conteúdo por expor seus dados pessoais sem consentimento e tomamos medidas contra a conta. Recomendamos registrar boletim de ocorrência por causa das ameaças e acompanhar o uso do seu CPF em serviços de proteção ao crédito.")

c("pt", "BR", IA, "user", "sexual_content", "medium", "content_removed",
  "Links de pornografia nos comentários",
  "Em vídeo de criança tem comentário 'me chama no link da bio 🔞' com foto explícita. Muito nojento.",
  "Obrigado pela denúncia. Removemos os comentários e banimos as contas que divulgavam conteúdo adulto e links de spam.")

c("pt", "BR", IA, "user", "dangerous_acts", "high", "content_removed",
  "Desafio do desodorante",
  "Tem crianças fazendo o desafio de inalar desodorante aerossol de novo. Uma menina morreu disso há uns anos. Por favor tirem do ar.",
  "Obrigado por avisar. Removemos os vídeos e as buscas relacionadas agora exibem um aviso de segurança, já que desafios que podem causar lesões graves ou morte não são permitidos. Conversar com as crianças sobre os riscos é muito importante.")

c("pt", "BR", IA, "user", "scam_fraud", "medium", "account_suspended",
  "Rifa falsa no pix",
  "Perfil fazendo 'rifa' de moto, a pessoa paga 10 reais no pix e ninguém nunca ganha. Os comentários estão cheios de gente reclamando.",
  "Obrigado pela denúncia. Suspendemos a conta por promover sorteios fraudulentos. Se você pagou, entre em contato com o seu banco e use o Mecanismo Especial de Devolução do pix, e registre um boletim de ocorrência.",
  edited=True)

c("pt", "PT", EM, "user", "scam_fraud", "medium", "content_removed",
  "Burla de emprego 'ganhe a ver vídeos'",
  "Fui contactada por mensagem a oferecer 50€ por dia para dar gostos em vídeos. Paguei 30€ para 'desbloquear tarefas' e agora pedem 300€. Acho que caí numa burla.",
  "Lamentamos o sucedido. Trata-se de uma burla de tarefas: removemos as mensagens e tomámos medidas contra a conta. Não envie mais dinheiro, contacte o seu banco e apresente queixa junto da PSP ou da Polícia Judiciária.")

c("pt", "BR", API, "advertiser", "impersonation", "medium", "account_suspended",
  "Lojas falsas usando nossa marca",
  "Somos uma varejista de eletrônicos. Nossa ferramenta de proteção de marca encontrou 9 perfis usando nosso logo e nome com 'liquidação 80% off' e link para sites clonados.",
  "Obrigado pela denúncia. Banimos os 9 perfis por se passarem pela sua marca com finalidade fraudulenta e bloqueamos os domínios clonados. Recomendamos concluir a verificação da conta oficial da marca para facilitar a identificação pelos usuários.")

c("pt", "BR", IA, "user", "impersonation", "medium", "account_suspended",
  "Perfil falso do meu pai que faleceu",
  "Criaram um perfil com o nome e as fotos do meu pai, que faleceu em janeiro, e estão pedindo dinheiro para os amigos dele.",
  "Sentimos muito pela sua perda e por essa situação. Banimos o perfil por falsidade ideológica e fraude. Se quiser solicitar a memorialização ou a remoção da conta verdadeira do seu pai, use nosso formulário de solicitação para usuários falecidos.")

c("pt", "BR", PP, "trusted_flagger", "misinformation", "medium", "label_applied",
  "Vídeo falso sobre fraude nas urnas",
  "Agência de checagem parceira. O vídeo mostra uma urna supostamente 'votando sozinha', mas é uma montagem de 2018 já desmentida. Checagem anexada.",
  "Obrigado pela checagem. Aplicamos um rótulo de informação não verificada com link para a sua checagem e tornamos o vídeo inelegível para recomendação.")

c("pt", "BR", IA, "user", "misinformation", "medium", "content_removed",
  "Cura milagrosa para diabetes",
  "Um 'médico' diz para parar a insulina e tomar chá de uma planta que cura diabetes em 7 dias. Minha tia acreditou.",
  "Obrigado pela denúncia. Removemos o vídeo por promover alegações de saúde falsas que podem causar danos graves. Por favor, oriente sua tia a não interromper o tratamento sem falar com o médico dela.")

c("pt", "BR", API, "trusted_flagger", "intellectual_property", "low", "content_removed",
  "Transmissão pirata de jogo do Brasileirão",
  "Parceiro detentor de direitos. 4 lives estão retransmitindo a partida de hoje às 16h. IDs das lives anexados.",
  "Obrigado pelo envio. Encerramos as 4 lives e restringimos as contas de transmitir ao vivo. Reincidências levam ao banimento conforme nossa política de infratores reincidentes.")

c("pt", "BR", IA, "user", "spam", "low", "account_suspended",
  "Comentários 'link na bio' de bots",
  "Todos os vídeos do meu perfil recebem comentários iguais de perfis sem foto: 'ganhe 500 reais por dia, link na bio'.",
  "Obrigado pela denúncia. Banimos as contas automatizadas e removemos os comentários por spam. Você também pode ativar o filtro de spam e palavras-chave nas configurações de comentários.")

c("pt", "BR", CS, "creator", "account_access", "medium", "account_restored",
  "Conta hackeada, trocaram e-mail e telefone",
  "Hackearam minha conta (@receitas_da_bia, 340 mil seguidores). Trocaram o e-mail e o número e estão fazendo live pedindo pix. Por favor me ajudem rápido.",
  "Obrigado por nos procurar rapidamente. Confirmamos que você é a titular, encerramos a live, removemos os conteúdos publicados pelo invasor e restauramos seu acesso. Crie uma nova senha forte, ative a verificação em duas etapas por aplicativo autenticador e confira os dispositivos conectados. Vale avisar seus seguidores que os pedidos de pix não foram seus.")

c("pt", "PT", IA, "user", "account_access", "low", "account_restored",
  "Conta bloqueada por idade",
  "Bloquearam a minha conta a dizer que tenho menos de 13 anos. Tenho 18! Posso enviar o cartão de cidadão.",
  "Obrigado pelo recurso e pelo documento enviado. Confirmámos a sua idade e restaurámos a conta. O documento foi eliminado após a verificação, conforme a nossa política de privacidade.")

c("pt", "BR", CS, "creator", "appeal", "low", "appeal_upheld",
  "Vídeo sobre amamentação removido por nudez",
  "Sou consultora de amamentação. Meu vídeo ensinando a pega correta foi removido por nudez. É conteúdo educativo!",
  "Obrigado pelo recurso. Revisamos o vídeo novamente e concordamos que se trata de conteúdo educativo sobre amamentação, permitido pelas nossas diretrizes. Restauramos o vídeo e retiramos a advertência da sua conta.")

c("pt", "BR", IA, "user", "appeal", "low", "appeal_denied",
  "Banimento da live injusto",
  "Fui proibido de fazer live por 'atividades perigosas' mas eu só tava mostrando meu grau de moto na rua.",
  "Obrigado pelo recurso. Revisamos a live e confirmamos que ela mostrava manobras perigosas em via pública, com risco para você e para outras pessoas, o que viola nossas diretrizes. A restrição será mantida até a data indicada no status da sua conta.")

c("pt", "BR", LE, "law_enforcement", "legal_request", "medium", "data_disclosed_under_legal_process",
  "Ofício - requisição de dados cadastrais",
  "Polícia Civil. Encaminhamos ofício com decisão judicial anexa requisitando dados cadastrais e registros de acesso (IP, data e hora) do perfil @golpe_zap_ofertas, investigado no inquérito 0815/2024 por estelionato.",
  "Agradecemos o envio referente ao inquérito 0815/2024. Analisamos a decisão judicial nos termos da legislação aplicável e das nossas políticas e disponibilizamos pelo portal os dados cadastrais e os registros de acesso correspondentes.")

c("pt", "BR", EM, "government", "legal_request", "medium", "content_removed",
  "Ordem judicial de remoção de conteúdo",
  "Encaminhamos decisão judicial determinando a remoção do vídeo no link anexado, considerado difamatório, no prazo de 48 horas, processo nº 1002345-67.2024.",
  "Recebemos a decisão referente ao processo nº 1002345-67.2024. O vídeo foi removido dentro do prazo determinado, e a confirmação foi enviada por este canal.",
  edited=True)

c("pt", "BR", IA, "user", "no_violation", "low", "information_provided",
  "Como baixar meus dados?",
  "Quero baixar todos os meus vídeos e dados da conta, tem como?",
  "Tem sim! Acesse Perfil > Menu > Configurações e privacidade > Conta > Baixar seus dados, escolha o formato e solicite o arquivo. Quando ele estiver pronto, você receberá uma notificação para baixar.")

c("pt", "PT", IA, "user", "no_violation", "low", "no_violation_found",
  "Paródia de um político",
  "Um humorista fez uma paródia do primeiro-ministro a cantar. Isto é desrespeitoso, devia ser apagado.",
  "Obrigado pela denúncia. Analisámos o vídeo e trata-se de humor e sátira política, permitidos pelas nossas diretrizes. Pode usar a opção 'Não tenho interesse' para ver menos conteúdos deste tipo.")

# ---------------------------------------------------------------------------
# Français
# ---------------------------------------------------------------------------
c("fr", "FR", PP, "ngo", "child_safety", "critical", "escalated_law_enforcement",
  "Comptes partageant des contenus sexualisés de mineurs",
  "Association de protection de l'enfance. Nous signalons un réseau de 8 comptes qui republient des vidéos de fillettes en maillot de bain avec des légendes explicites et renvoient vers un groupe privé sur une messagerie. Liste des comptes et captures en pièce jointe.",
  "Merci pour ce signalement détaillé. Notre équipe dédiée à la sécurité des enfants a examiné les 8 comptes, les a supprimés et a transmis le dossier aux autorités compétentes. Le lien vers le groupe externe est désormais bloqué sur la plateforme. Nous restons disponibles via le portail partenaire pour toute information complémentaire.")

c("fr", "BE", IA, "user", "child_safety", "critical", "escalated_law_enforcement",
  "Un adulte demande des photos à ma fille",
  "Ma fille a 14 ans. Un compte qui se fait passer pour un garçon de 15 ans lui demande des photos 'sans t-shirt' et lui propose de la retrouver à la gare. En regardant son profil, il a clairement plus de 30 ans.",
  "Merci de nous avoir alertés et d'avoir réagi aussi vite. Nous avons supprimé le compte et transmis le cas aux autorités compétentes. Nous vous conseillons de conserver les messages et de porter plainte auprès de la police locale. Vous pouvez aussi contacter Child Focus au 116 000 pour être accompagnés.")

c("fr", "FR", IA, "user", "self_harm", "high", "content_removed",
  "vidéo de scarifications",
  "Une fille poste des vidéos de ses bras avec des coupures récentes et écrit 'jour 12 sans arrêter'. Je suis inquiète pour elle et ça me fait du mal de voir ça.",
  "Merci de ce signalement, et de votre bienveillance. Nous avons supprimé la vidéo car elle montrait de l'automutilation de manière explicite, et nous avons envoyé à la personne des ressources d'aide. Si ce contenu vous a touchée, vous pouvez appeler le 3114, numéro national de prévention du suicide, gratuit et disponible 24h/24.")

c("fr", "CA", IA, "user", "self_harm", "high", "content_removed",
  "Compte pro-ana",
  "Ce compte publie des 'thinspo' et des conseils pour ne pas manger plus de 400 calories par jour. Beaucoup d'ados commentent.",
  "Merci de votre signalement. Nous avons supprimé les vidéos qui faisaient la promotion de comportements alimentaires dangereux et retiré le compte des recommandations. Les recherches associées renvoient maintenant vers des ressources d'aide. Au Québec, ANEB offre un soutien gratuit aux personnes touchées par les troubles alimentaires.")

c("fr", "FR", PP, "trusted_flagger", "violent_extremism", "high", "content_removed",
  "Propagande djihadiste sous forme de montages",
  "Signaleur de confiance. Six comptes publient des montages de chants djihadistes sur des images de combattants, avec des appels à 'rejoindre les rangs'. Plusieurs vidéos réutilisent des contenus officiels d'une organisation terroriste. Liens joints.",
  "Merci pour ce signalement. Nous avons supprimé les six comptes et leurs contenus pour promotion d'une organisation extrémiste violente, et ajouté les empreintes des vidéos à nos outils de détection afin d'empêcher leur remise en ligne.")

c("fr", "FR", IA, "user", "violent_threat", "critical", "escalated_law_enforcement",
  "Menaces de mort contre le maire",
  "Un compte local a publié une vidéo devant la mairie de notre commune en disant 'samedi au marché, le maire ne rentrera pas chez lui'. Il montre un couteau. Le marché est demain matin.",
  "Merci d'avoir signalé cette vidéo rapidement. Nous l'avons supprimée et avons transmis la menace aux forces de l'ordre compte tenu de son caractère précis et imminent. Nous vous invitons à contacter aussi le 17 ou la gendarmerie locale. Nous coopérerons avec toute enquête.")

c("fr", "FR", IA, "user", "graphic_violence", "medium", "age_restricted",
  "Images d'émeutes avec blessés",
  "Un média indépendant a publié des images des émeutes d'hier soir où on voit un homme blessé à la tête, beaucoup de sang. Mon fils de 13 ans est tombé dessus.",
  "Merci de nous avoir contactés. La vidéo relève de l'information d'actualité et reste donc en ligne, mais nous y avons ajouté un avertissement et l'avons rendue inaccessible aux moins de 18 ans. Vous pouvez aussi activer le mode restreint via le Connexion famille sur le compte de votre fils.")

c("fr", "FR", IA, "user", "hate_speech", "medium", "content_removed",
  "Commentaires antisémites",
  "Sous une vidéo sur la commémoration de la rafle du Vel d'Hiv, des dizaines de commentaires nient la Shoah et insultent les juifs.",
  "Merci de votre signalement. Nous avons supprimé les commentaires négationnistes et antisémites identifiés et sanctionné les comptes concernés. La haine et la négation de la Shoah n'ont pas leur place sur notre plateforme.",
  edited=True)

c("fr", "FR", PP, "ngo", "hate_speech", "high", "content_removed",
  "Campagne homophobe coordonnée",
  "Notre association a relevé une vague de vidéos visant un couple gay d'Angers après leur mariage, avec insultes et appels à 'les faire partir de la ville'. 17 vidéos, comptes créés récemment. Tableau joint.",
  "Merci pour ce signalement précis. Nous avons supprimé 16 vidéos pour discours haineux et incitation, et suspendu les comptes créés pour mener la campagne ; la dix-septième ne contenait pas de propos haineux. Nous surveillons les remises en ligne et restons en contact via le portail.",
  edited=True)

c("fr", "FR", IA, "user", "harassment_bullying", "high", "account_suspended",
  "Mon fils harcelé par toute sa classe",
  "Des élèves ont créé un compte '@la_honte_de_4eB' entièrement dédié à mon fils, avec des photos volées et des montages humiliants. Il ne veut plus aller au collège.",
  "Nous sommes vraiment désolés pour ce que vit votre fils, et merci de nous l'avoir signalé. Nous avons supprimé le compte et ses contenus pour harcèlement. Nous vous conseillons d'informer l'établissement et d'appeler le 3018, numéro national contre le harcèlement en ligne, qui peut vous accompagner.")

c("fr", "BE", IA, "user", "harassment_bullying", "medium", "content_removed",
  "Moqueries sur mon accent",
  "un gars a fait un duo de ma vidéo pour se moquer de mon accent et depuis tout le monde commente 'frite' et des insultes sous mes vidéos",
  "Merci de ton signalement. Nous avons supprimé le duo et les commentaires insultants qui relevaient du harcèlement. Tu peux limiter les duos et les collages à tes amis et activer le filtre de commentaires dans les paramètres.")

c("fr", "FR", EM, "user", "doxxing_privacy", "critical", "content_removed",
  "Mon adresse publiée après un reportage",
  "Je suis journaliste. Après un reportage, un compte a publié mon adresse personnelle et une photo de ma porte en appelant à 'venir discuter'. Je crains pour ma famille.",
  "Merci de nous avoir alertés et nous sommes désolés de cette situation. Nous avons supprimé la publication pour divulgation d'informations personnelles et sanctionné le compte ; nous surveillons les éventuelles republications. Nous vous encourageons à déposer plainte auprès de la police ou de la gendarmerie compte tenu de l'appel à venir chez vous.")

c("fr", "FR", CS, "creator", "sexual_content", "high", "content_removed",
  "Deepfake pornographique",
  "Un compte diffuse une vidéo pornographique générée par IA avec mon visage et dit que c'est une 'fuite'. Mes abonnés la partagent.",
  "Nous sommes désolés que vous soyez la cible de cela. Nous avons supprimé la vidéo et le compte pour diffusion de contenu sexuel synthétique non consenti, et ajouté la vidéo à nos outils de détection pour bloquer les republications. Vous pouvez porter plainte et utiliser StopNCII.org. N'hésitez pas à nous envoyer toute nouvelle copie en citant ce ticket.")

c("fr", "FR", IA, "user", "dangerous_acts", "high", "content_removed",
  "Jeu du foulard",
  "Des vidéos circulent où des collégiens se serrent le cou avec une écharpe pour 'voir ce que ça fait'. C'est le jeu du foulard, il y a eu des morts.",
  "Merci de votre signalement. Nous avons supprimé les vidéos et les recherches liées affichent désormais un message de prévention, car ces pratiques peuvent entraîner des blessures graves ou la mort. N'hésitez pas à en parler avec les jeunes concernés et leur établissement.")

c("fr", "FR", IA, "user", "scam_fraud", "medium", "account_suspended",
  "Faux live crypto",
  "Un live diffuse une vieille interview d'un milliardaire avec un QR code 'envoyez 1000€ en crypto, recevez-en 2000'. Ça tourne depuis des heures.",
  "Merci de votre signalement. Nous avons interrompu le live et suspendu le compte pour escroquerie aux cryptomonnaies. Si vous avez envoyé de l'argent, signalez-le sur la plateforme officielle de signalement des escroqueries en ligne et contactez votre banque ou votre plateforme d'échange.")

c("fr", "CI", EM, "user", "scam_fraud", "high", "account_suspended",
  "Arnaque sentimentale",
  "Ma tante parle depuis trois mois avec un 'militaire français en mission' rencontré dans les commentaires. Il lui a demandé 1,5 million de FCFA pour ses 'frais de permission'. Elle a déjà envoyé la moitié.",
  "Nous sommes désolés pour votre tante. Nous avons suspendu le compte pour fraude et supprimé les comptes liés identifiés. Nous vous conseillons de prévenir sa banque ou son service de transfert d'argent et de porter plainte auprès de la plateforme de lutte contre la cybercriminalité. Nous répondrons à toute demande des autorités dans le cadre d'une enquête.")

c("fr", "FR", API, "advertiser", "impersonation", "medium", "account_suspended",
  "Faux comptes de notre marque de cosmétiques",
  "Service protection de marque. 6 comptes reprennent notre logo et notre nom pour annoncer un 'jeu concours' demandant 1,95€ de frais de livraison par carte bancaire.",
  "Merci pour ce signalement. Nous avons suspendu les six comptes pour usurpation de votre marque à des fins frauduleuses et bloqué le lien de paiement. Nous vous recommandons de finaliser la vérification de votre compte officiel.")

c("fr", "FR", IA, "user", "misinformation", "low", "label_applied",
  "Vidéo antivax",
  "Une vidéo affirme que les vaccins contiennent des puces 5G. C'est n'importe quoi mais elle a 500 000 vues.",
  "Merci de votre signalement. Nous avons ajouté une étiquette renvoyant vers des informations fiables sur les vaccins, et la vidéo n'est plus recommandée dans le fil Pour toi.")

c("fr", "FR", PP, "government", "misinformation", "medium", "content_removed",
  "Fausse date de scrutin",
  "Préfecture. Des vidéos affirment que le second tour a été décalé au lundi pour les électeurs de certaines communes. C'est faux. Liens joints.",
  "Merci de votre alerte. Nous avons supprimé les vidéos, qui contiennent des informations fausses sur les modalités du vote, conformément à notre politique sur l'intégrité des élections. Les recherches associées renvoient désormais vers les informations officielles.")

c("fr", "FR", EM, "user", "intellectual_property", "low", "content_removed",
  "Ma photo utilisée sans autorisation",
  "Je suis photographe. Une de mes photos de la baie de Somme est utilisée comme fond d'une vidéo sponsorisée sans mon accord ni crédit.",
  "Merci pour votre notification de droit d'auteur. Après examen, nous avons supprimé la vidéo. L'utilisateur a été informé et peut déposer une contre-notification s'il estime qu'il s'agit d'une erreur.")

c("fr", "FR", IA, "user", "spam", "low", "account_suspended",
  "Spam pendant les lives",
  "Pendant mes lives il y a des dizaines de comptes qui écrivent 'gagnez un iPhone ici' avec un lien. Tous créés le même jour.",
  "Merci pour votre signalement. Nous avons suspendu les comptes automatisés et supprimé leurs messages. Vous pouvez aussi activer le filtre anti-spam et ajouter des mots-clés filtrés dans les paramètres du LIVE.")

c("fr", "FR", IA, "user", "account_access", "medium", "account_restored",
  "Compte piraté",
  "On m'a piraté mon compte après un faux mail 'violation de droits d'auteur'. Ils ont changé le mot de passe et l'email et publient des arnaques.",
  "Merci de nous avoir contactés. Nous avons vérifié que vous étiez bien le titulaire, sécurisé le compte, supprimé les contenus publiés par le pirate et rétabli votre accès. Changez votre mot de passe, activez la validation en deux étapes et méfiez-vous des e-mails vous demandant vos identifiants : nous ne demandons jamais votre mot de passe.")

c("fr", "CH", IA, "user", "account_access", "low", "information_provided",
  "Code de validation jamais reçu",
  "Je ne reçois pas le code par SMS pour me connecter. J'ai essayé 10 fois.",
  "Désolés pour ce désagrément. Vérifiez que le numéro est correct et que votre opérateur accepte les SMS courts ; sinon, choisissez la vérification par e-mail sur l'écran de connexion. Si le problème persiste, utilisez 'Signaler un problème' depuis l'écran de connexion pour que nous puissions vérifier votre compte.")

c("fr", "FR", CS, "creator", "appeal", "low", "appeal_upheld",
  "Documentaire historique supprimé",
  "Ma vidéo sur la Libération de Paris a été supprimée pour 'extrémisme' à cause d'images d'archives avec des drapeaux nazis. C'est un contenu historique !",
  "Merci pour votre recours. Après un nouvel examen, nous confirmons qu'il s'agit d'un contenu historique et éducatif qui ne fait pas l'apologie de l'idéologie nazie. Nous avons rétabli la vidéo et retiré l'avertissement de votre compte.")

c("fr", "FR", CS, "creator", "appeal", "low", "appeal_denied",
  "Contestation de la suspension",
  "Mon compte a été suspendu pour 'violations répétées du droit d'auteur'. Je ne fais que reposter des extraits de séries, comme tout le monde.",
  "Merci pour votre recours. Nous avons réexaminé votre compte et confirmé qu'il a reçu plusieurs notifications valides de titulaires de droits pour des extraits republiés sans autorisation. Conformément à notre politique relative aux récidivistes, la suspension est maintenue.")

c("fr", "FR", PP, "government", "legal_request", "high", "content_removed",
  "Injonction de retrait de contenu à caractère terroriste",
  "Autorité nationale compétente. Injonction de retrait au titre du règlement (UE) 2021/784 visant la vidéo au lien ci-joint, à exécuter dans un délai d'une heure. Référence INJ-2024-0193.",
  "Nous accusons réception de l'injonction INJ-2024-0193. Le contenu a été retiré dans le délai d'une heure prévu par le règlement, et une copie a été conservée conformément à nos obligations. La confirmation a été transmise via le portail.")

c("fr", "FR", LE, "law_enforcement", "legal_request", "medium", "data_disclosed_under_legal_process",
  "Réquisition judiciaire - harcèlement",
  "Brigade de recherches. Réquisition judiciaire jointe visant à obtenir les données d'identification et les adresses IP de connexion du compte @verite_cachee_33, dans le cadre d'une enquête pour harcèlement. PV n° 2024/0567.",
  "Merci pour votre réquisition (PV n° 2024/0567). Après examen au regard du droit applicable et de nos politiques, nous avons communiqué via le portail les données d'identification et les journaux de connexion correspondants.")

c("fr", "FR", IA, "user", "no_violation", "low", "information_provided",
  "Comment désactiver les commentaires ?",
  "Bonjour, comment je peux désactiver les commentaires sur une seule de mes vidéos ?",
  "Bonjour ! Ouvrez la vidéo, appuyez sur les trois points, puis sur 'Paramètres de confidentialité' et désactivez 'Autoriser les commentaires'. Vous pouvez aussi filtrer les commentaires par mots-clés dans Paramètres et confidentialité > Confidentialité > Commentaires.")

c("fr", "MA", IA, "user", "no_violation", "low", "no_violation_found",
  "Sketch d'humour noir",
  "Un humoriste fait un sketch sur les enterrements, je trouve ça irrespectueux.",
  "Merci pour votre signalement. Nous avons examiné la vidéo : il s'agit d'un sketch humoristique qui ne vise personne en particulier et n'enfreint pas nos règles. Vous pouvez appuyer sur 'Pas intéressé' pour voir moins de contenus de ce type.")

c("fr", "SN", IA, "user", "impersonation", "medium", "account_suspended",
  "Faux compte d'un marabout célèbre",
  "Un compte utilise le nom et les photos d'un guide religieux connu à Dakar et demande aux fidèles d'envoyer de l'argent par mobile money pour des 'prières'. Ce n'est pas lui.",
  "Merci pour votre signalement. Nous avons suspendu le compte pour usurpation d'identité et fraude. Nous vous invitons à prévenir votre entourage de ne pas envoyer d'argent à des comptes non vérifiés et à nous signaler tout nouveau faux compte.")

# ---------------------------------------------------------------------------
# Deutsch
# ---------------------------------------------------------------------------
c("de", "DE", IA, "user", "child_safety", "critical", "escalated_law_enforcement",
  "Erwachsener lockt Kinder auf andere App",
  "Unter Videos von Kindern (ca. 10-12) kommentiert ein Account immer 'schreib mir auf der anderen App, ich hab was Cooles für dich' und bietet Geschenke an. Mein Sohn hat mir das gezeigt. Account: @cooler_onkel_ben",
  "Vielen Dank für Ihre Meldung und dafür, dass Sie so aufmerksam waren. Unser Kinderschutz-Team hat den Account geprüft, gesperrt und den Fall an die zuständigen Behörden weitergeleitet. Sprechen Sie mit Ihrem Sohn darüber, niemals auf andere Apps zu wechseln, und sichern Sie ggf. Screenshots. Über den Begleiteten Modus können Sie außerdem einschränken, wer Ihrem Kind Nachrichten schicken kann.")

c("de", "AT", EM, "user", "child_safety", "critical", "escalated_law_enforcement",
  "Mein Sohn (16) wird mit Nacktbildern erpresst",
  "Mein Sohn hat einem angeblichen Mädchen Nacktfotos geschickt. Jetzt wird er erpresst: 500 Euro oder die Bilder gehen an seine Freunde und die Schule. Der Account heißt @jana_vienna_06. Er hat furchtbare Angst.",
  "Es tut uns sehr leid, was Ihr Sohn gerade durchmacht – bitte sagen Sie ihm, dass er keine Schuld trägt. Wir haben den Account entfernt und den Fall an die zuständigen Behörden gemeldet. Bitte zahlen Sie nichts, brechen Sie den Kontakt ab, sichern Sie die Nachrichten und erstatten Sie Anzeige bei der Polizei. Rat auf Draht (147) bietet Ihrem Sohn zudem anonyme Unterstützung.")

c("de", "DE", IA, "user", "self_harm", "critical", "escalated_emergency_services",
  "LIVE: jemand steht auf einer Brücke",
  "Gerade läuft ein LIVE von @max_nrw_99, er steht auf einer Autobahnbrücke und sagt, dass er gleich springt. Man sieht ein Schild 'A3'. Bitte schnell!!",
  "Danke, dass Sie so schnell reagiert haben. Unser Team hat den LIVE sofort geprüft und die verfügbaren Informationen an die Rettungsdienste weitergegeben. Bitte rufen Sie zusätzlich die 112 an und nennen Sie alle Hinweise zum Ort. Die Telefonseelsorge ist rund um die Uhr unter 0800 111 0 111 erreichbar, falls Sie selbst Unterstützung brauchen.")

c("de", "DE", IA, "user", "self_harm", "high", "content_removed",
  "Video erklärt Suizidmethode",
  "In einem Video wird genau erklärt, welche Methode 'am sichersten' ist. Es hat schon tausende Aufrufe. Das muss weg.",
  "Vielen Dank für Ihre Meldung. Wir haben das Video entfernt, da Anleitungen zu Suizid oder Selbstverletzung auf unserer Plattform nicht erlaubt sind, und Maßnahmen gegen den Account ergriffen. Wenn Sie oder jemand in Ihrem Umfeld Hilfe braucht: Die Telefonseelsorge ist kostenlos unter 0800 111 0 111 erreichbar.")

c("de", "DE", PP, "trusted_flagger", "violent_extremism", "high", "content_removed",
  "Rechtsextreme Musikvideos mit verbotenen Symbolen",
  "Vertrauenswürdiger Hinweisgeber. 14 Videos zeigen Rechtsrock-Lieder mit Hakenkreuzen, SS-Runen und Aufrufen zum 'Tag X'. Die Accounts sind untereinander vernetzt. Links und Zeitstempel anbei.",
  "Vielen Dank für Ihre Meldung. Wir haben die 14 Videos entfernt und die beteiligten Accounts wegen Verbreitung gewaltbereiter extremistischer Inhalte gesperrt. Die Audiodateien wurden in unsere Erkennungssysteme aufgenommen, um erneute Uploads zu verhindern.")

c("de", "DE", IA, "user", "violent_threat", "critical", "escalated_law_enforcement",
  "Drohung gegen Bürgermeisterin",
  "Ein Account postet ein Foto vom Wohnhaus unserer Bürgermeisterin mit 'Am Sonntag nach der Wahl klingeln wir mal mit Benzin'. Bitte sofort handeln.",
  "Danke für Ihre schnelle Meldung. Wir haben den Beitrag entfernt, den Account gesperrt und die Drohung aufgrund ihrer Konkretheit an die Strafverfolgungsbehörden weitergeleitet. Bitte informieren Sie auch die Polizei (110), damit vor Ort Schutzmaßnahmen getroffen werden können.")

c("de", "DE", IA, "user", "graphic_violence", "medium", "content_removed",
  "Tierquälerei",
  "Jugendliche filmen, wie sie einen Hund treten und lachen dabei. Unerträglich.",
  "Vielen Dank für Ihre Meldung, und es tut uns leid, dass Sie das sehen mussten. Wir haben das Video entfernt und den Account gesperrt, da Tierquälerei auf unserer Plattform nicht erlaubt ist. Wenn Sie wissen, wo das passiert ist, können Sie auch die Polizei oder das Veterinäramt informieren.")

c("de", "DE", PP, "ngo", "hate_speech", "medium", "content_removed",
  "Antimuslimische Hetze nach Anschlag",
  "Nach dem Anschlag in der Innenstadt sehen wir eine Welle von Videos, die Muslime pauschal als 'Messermänner' und 'Ungeziefer' bezeichnen und zur 'Säuberung' aufrufen. 31 Links in der Tabelle.",
  "Vielen Dank für Ihre ausführliche Meldung. Wir haben 28 der 31 Videos wegen Hassrede bzw. Aufstachelung entfernt und wiederholt auffällige Accounts gesperrt. Drei Videos enthielten zwar harte Kritik, aber keine Hassrede, und bleiben online. Wir beobachten die Lage weiterhin.",
  edited=True)

c("de", "CH", IA, "user", "hate_speech", "medium", "content_removed",
  "Antisemitische Verschwörungsvideos",
  "Ein Account behauptet, 'die Rothschilds' steuern Kriege und Pandemien, mit Karikaturen wie aus dem Stürmer. Sehr viele Likes.",
  "Danke für Ihre Meldung. Wir haben die Videos entfernt, da sie antisemitische Stereotype und Verschwörungserzählungen verbreiten, und eine Verwarnung gegen den Account ausgesprochen.")

c("de", "DE", IA, "user", "harassment_bullying", "medium", "content_removed",
  "Lehrer wird von Schülern gemobbt",
  "Schüler haben heimlich unseren Lehrer gefilmt und mit Musik unterlegt, die Kommentare sind voller Beleidigungen. Er ist ziemlich fertig.",
  "Vielen Dank, dass Sie das für ihn melden. Wir haben das Video wegen Mobbing entfernt und Maßnahmen gegen den Account ergriffen. Der Lehrer kann weitere Inhalte über sich auch selbst melden, und wir empfehlen, die Schulleitung zu informieren.")

c("de", "AT", CS, "creator", "harassment_bullying", "medium", "content_removed",
  "Sexuelle Belästigung in Kommentaren",
  "Ich bin Fitness-Creatorin und bekomme unter jedem Video sexuelle Kommentare und DMs mit Bildern, die ich nicht sehen will. Immer von neuen Accounts.",
  "Danke, dass Sie sich melden, und es tut uns leid, dass Sie das erleben. Wir haben die Kommentare entfernt und die identifizierten Accounts gesperrt. Sie können Direktnachrichten auf Freunde beschränken und Kommentarfilter mit Schlüsselwörtern einrichten. Bei Bedarf können Sie sich auch an eine Beratungsstelle gegen Hass im Netz wenden.")

c("de", "DE", IA, "user", "doxxing_privacy", "critical", "content_removed",
  "Pranger-Video mit Adresse",
  "Ein Account stellt einen Mann als 'Pädo' an den Pranger, mit vollem Namen, Foto und Wohnadresse. Es gibt keinerlei Beweise, und in den Kommentaren rufen Leute dazu auf, ihn zu 'besuchen'.",
  "Vielen Dank für Ihre Meldung. Wir haben das Video entfernt, da es private Informationen inklusive Wohnadresse veröffentlicht und zu Selbstjustiz aufruft, und Maßnahmen gegen den Account ergriffen. Wer Hinweise auf Straftaten hat, sollte sich an die Polizei wenden statt an die Öffentlichkeit.")

c("de", "DE", IA, "user", "sexual_content", "medium", "content_removed",
  "Nacktheit im LIVE",
  "In einem LIVE zieht sich eine Person für Geschenke komplett aus. Es ist Nachmittag und es schauen bestimmt auch Kinder zu.",
  "Danke für Ihre Meldung. Wir haben den LIVE beendet und den Account für LIVE-Funktionen gesperrt, da Nacktheit und sexuell explizite Inhalte nicht erlaubt sind.")

c("de", "DE", IA, "user", "dangerous_acts", "high", "content_removed",
  "S-Bahn-Surfen",
  "Jugendliche filmen sich beim S-Bahn-Surfen auf dem Dach eines fahrenden Zuges. Die Videos gehen gerade viral.",
  "Danke für Ihre Meldung. Wir haben die Videos entfernt, weil sie lebensgefährliche Handlungen zeigen, und die zugehörigen Hashtags eingeschränkt.")

c("de", "DE", IA, "user", "scam_fraud", "medium", "account_suspended",
  "Fake-Shop",
  "Ein Account bewirbt einen Online-Shop mit Markenjacken für 29 Euro. Ich habe per Vorkasse bezahlt und nie etwas bekommen. Impressum ist gefälscht.",
  "Es tut uns leid, dass Sie Geld verloren haben. Wir haben den Account wegen betrügerischer Verkäufe gesperrt. Bitte wenden Sie sich an Ihre Bank, um eine Rückbuchung zu versuchen, und erstatten Sie Anzeige bei der Polizei (auch online möglich). Die Verbraucherzentrale bietet einen Fakeshop-Finder zur Prüfung von Shops an.",
  edited=True)

c("de", "DE", IA, "user", "scam_fraud", "medium", "information_provided",
  "Gewinnspiel-Nachricht echt?",
  "Ich habe eine DM bekommen, dass ich ein iPhone gewonnen habe und nur 4,99 Versand zahlen soll. Ist das echt?",
  "Danke, dass Sie nachfragen! Das ist ein typischer Betrugsversuch: Seriöse Gewinnspiele verlangen keine Gebühren. Wir haben Maßnahmen gegen den Absender ergriffen. Bitte geben Sie keine Zahlungsdaten ein und melden Sie solche Nachrichten direkt in der App.")

c("de", "DE", API, "advertiser", "impersonation", "medium", "account_suspended",
  "Falsche Kundenservice-Accounts einer Bank",
  "Markenschutz einer Regionalbank. Mehrere Accounts geben sich als unser 'Kundenservice' aus und fordern Nutzer per DM auf, TANs zu bestätigen. 4 Accounts gelistet.",
  "Vielen Dank für Ihre Meldung. Wir haben alle vier Accounts wegen Identitätsbetrugs und Phishing gesperrt. Wir empfehlen, Ihr offizielles Profil verifizieren zu lassen und Ihre Kundschaft darauf hinzuweisen, dass Sie nie nach TANs fragen.")

c("de", "DE", PP, "trusted_flagger", "misinformation", "medium", "label_applied",
  "KI-generiertes Video eines Politikers",
  "Faktencheck-Partner. Ein Video zeigt einen Spitzenkandidaten, der angeblich sagt, er wolle die Renten abschaffen. Es handelt sich um einen Deepfake. Faktencheck anbei.",
  "Vielen Dank für den Faktencheck. Wir haben das Video als KI-generiert und als nicht verifiziert gekennzeichnet, mit Link zu Ihrem Faktencheck, und es von Empfehlungen ausgeschlossen.")

c("de", "DE", IA, "user", "misinformation", "medium", "content_removed",
  "Falsche Evakuierungsmeldung",
  "Ein Video behauptet, der Damm bei uns sei gebrochen und alle müssten sofort raus. Die Feuerwehr sagt, das stimmt nicht. Leute geraten in Panik.",
  "Danke für Ihre Meldung. Wir haben das Video entfernt, da es falsche Informationen in einer Notlage verbreitet, die Menschen gefährden können. Bitte verlassen Sie sich auf offizielle Warnmeldungen der Behörden.")

c("de", "DE", API, "advertiser", "intellectual_property", "low", "content_removed",
  "Markenverletzung – gefälschte Sneaker",
  "Markenschutzteam eines Sportartikelherstellers. 17 Videos bewerben 'Replika' unserer Schuhe mit Markenlogo und verweisen auf einen Drittshop. Registernummern anbei.",
  "Vielen Dank für Ihre Meldung. Nach Prüfung der Markenregistrierungen haben wir die 17 Videos wegen Verkaufs gefälschter Waren entfernt. Die Accounts haben eine Verwarnung erhalten; bei Wiederholung folgt eine Sperre.")

c("de", "DE", IA, "user", "spam", "low", "information_provided",
  "Hunderte Bot-Follower",
  "Ich habe über Nacht 400 neue Follower bekommen, alle ohne Profilbild und mit komischen Namen. Bekomme ich jetzt Ärger?",
  "Keine Sorge, Sie bekommen dadurch keinen Ärger. Es handelt sich wahrscheinlich um Spam-Accounts, die wir laufend erkennen und entfernen. Sie können verdächtige Follower selbst entfernen und Ihr Konto vorübergehend auf privat stellen.")

c("de", "DE", IA, "user", "account_access", "low", "information_provided",
  "Kein Zugriff mehr auf E-Mail-Adresse",
  "Meine alte E-Mail-Adresse gibt es nicht mehr und ich habe mein Passwort vergessen. Wie komme ich wieder rein?",
  "Danke für Ihre Nachricht. Versuchen Sie zuerst 'Passwort vergessen' mit Ihrer Telefonnummer, falls diese verknüpft ist. Falls nicht, tippen Sie auf dem Anmeldebildschirm auf 'Problem melden' und wählen Sie 'Kein Zugriff auf E-Mail'; wir verifizieren Ihre Inhaberschaft dann anhand von Kontoinformationen.")

c("de", "DE", CS, "creator", "account_access", "medium", "account_restored",
  "Account gehackt – postet Krypto-Betrug",
  "Mein Account @gartenliebe_de (95k) wurde gehackt, E-Mail und Nummer geändert. Jetzt laufen dort Videos mit 'Bitcoin verdoppeln'. Follower schreiben mir, dass sie Geld geschickt haben.",
  "Danke, dass Sie sich so schnell gemeldet haben. Wir haben Ihre Inhaberschaft bestätigt, das Konto gesichert, die betrügerischen Videos entfernt und Ihnen den Zugang wiederhergestellt. Bitte vergeben Sie ein neues Passwort, aktivieren Sie die Bestätigung in zwei Schritten und prüfen Sie die angemeldeten Geräte. Informieren Sie Ihre Follower, dass die Videos nicht von Ihnen stammten.")

c("de", "DE", CS, "creator", "appeal", "low", "appeal_upheld",
  "Satire als Hassrede entfernt",
  "Mein Satirevideo, in dem ich rechte Parolen überspitzt lächerlich mache, wurde als Hassrede entfernt. Es ist eindeutig Satire, steht auch in der Beschreibung.",
  "Danke für Ihren Einspruch. Wir haben das Video erneut geprüft und stimmen zu, dass es sich um Satire handelt, die Hassrede kritisiert statt sie zu fördern. Das Video ist wiederhergestellt und die Verwarnung entfernt.")

c("de", "DE", IA, "user", "appeal", "low", "appeal_upheld",
  "Gesperrt wegen angeblichem Mindestalter",
  "Mein Konto wurde gesperrt, weil ich angeblich unter 13 bin. Ich bin 15, ich habe beim Registrieren einfach falsch getippt.",
  "Danke für Ihren Einspruch. Wir haben Ihr Alter mit dem eingereichten Nachweis überprüft und das Konto wieder freigegeben. Da Sie unter 16 sind, gelten für Ihr Konto unsere Standardeinstellungen für Jugendliche, z. B. ein privates Konto und eingeschränkte Direktnachrichten.")

c("de", "DE", LE, "law_enforcement", "legal_request", "medium", "data_disclosed_under_legal_process",
  "Auskunftsersuchen – Betrugsermittlung",
  "Staatsanwaltschaft. Gerichtlicher Beschluss anbei zur Herausgabe von Bestandsdaten und IP-Adressen des Accounts @schnaeppchen_king im Ermittlungsverfahren 402 Js 1187/24 wegen gewerbsmäßigen Betrugs.",
  "Vielen Dank für Ihr Ersuchen im Verfahren 402 Js 1187/24. Wir haben den Beschluss nach geltendem Recht und unseren Richtlinien geprüft und die entsprechenden Bestandsdaten und IP-Protokolle über das Portal bereitgestellt.")

c("de", "DE", LE, "law_enforcement", "legal_request", "medium", "request_rejected",
  "Anfrage Nachrichteninhalte",
  "Polizeiinspektion. Wir bitten um Übersendung sämtlicher Direktnachrichten zwischen zwei Nutzern im Zusammenhang mit einer Körperverletzung. Ein Beschluss liegt noch nicht vor.",
  "Vielen Dank für Ihre Anfrage. Die Herausgabe von Kommunikationsinhalten setzt einen gültigen richterlichen Beschluss bzw. ein entsprechendes Rechtshilfeverfahren voraus, der hier nicht vorliegt. Wir haben die relevanten Daten vorsorglich für 90 Tage gesichert und prüfen gerne ein formelles Ersuchen über das Portal.")

c("de", "DE", PP, "government", "legal_request", "medium", "information_provided",
  "DSA-Anfrage des Koordinators für digitale Dienste",
  "Koordinator für digitale Dienste. Ein Nutzer hat sich beschwert, dass sein Video ohne nachvollziehbare Begründung entfernt wurde. Bitte übermitteln Sie die Begründung gemäß Art. 17 DSA und das Ergebnis des internen Beschwerdeverfahrens. Az. DSC-DE-2024-331.",
  "Vielen Dank für Ihre Anfrage (Az. DSC-DE-2024-331). Wir haben die dem Nutzer übermittelte Begründung, die Angaben zur automatisierten und menschlichen Prüfung sowie das Ergebnis des internen Beschwerdeverfahrens über das Partnerportal bereitgestellt. Für Rückfragen stehen wir gerne zur Verfügung.",
  edited=True)

c("de", "DE", IA, "user", "no_violation", "low", "information_provided",
  "Benutzernamen ändern",
  "wie ändere ich meinen benutzernamen? finde es nicht",
  "Gehen Sie auf Profil > Profil bearbeiten > Benutzername und geben Sie den neuen Namen ein. Bitte beachten Sie, dass der Benutzername nur alle 30 Tage geändert werden kann.")

c("de", "AT", IA, "user", "no_violation", "low", "no_violation_found",
  "Jagdvideo melden",
  "Ein Jäger zeigt, wie er ein Reh erlegt. Finde ich grausam, sollte verboten sein.",
  "Danke für Ihre Meldung. Wir haben das Video geprüft: Es zeigt legale Jagd ohne detaillierte blutige Nahaufnahmen und verstößt nicht gegen unsere Richtlinien. Über 'Nicht interessiert' können Sie solche Inhalte seltener sehen.")

# ---------------------------------------------------------------------------
# Bahasa Indonesia
# ---------------------------------------------------------------------------
c("id", "ID", PP, "ngo", "child_safety", "critical", "escalated_law_enforcement",
  "Akun menjual video anak",
  "Kami dari lembaga perlindungan anak. Akun @grup_vvip_murah mempromosikan 'video anak-anak' berbayar melalui link di bio dan meminta pembeli menghubungi via aplikasi pesan. Ada indikasi kuat eksploitasi seksual anak. Bukti tangkapan layar terlampir.",
  "Terima kasih atas laporan Anda. Tim keselamatan anak kami telah menghapus akun dan seluruh kontennya, memblokir tautan eksternal tersebut, serta melaporkan kasus ini kepada aparat penegak hukum dan lembaga perlindungan anak yang berwenang. Kami menghargai kerja sama Anda dan akan menghubungi melalui portal bila memerlukan informasi tambahan.")

c("id", "ID", IA, "user", "child_safety", "critical", "escalated_law_enforcement",
  "Om-om ajak anak saya video call",
  "Anak saya umur 13 tahun. Ada akun yang ngaku umur 16 tapi fotonya jelas bapak-bapak, terus ngajak video call malam-malam dan minta anak saya jangan bilang ke orang tua. Akunnya @kak_rian_baik.",
  "Terima kasih sudah melapor dan bertindak cepat untuk melindungi anak Anda. Kami telah menghapus akun tersebut dan meneruskan kasus ini ke pihak berwenang. Mohon simpan tangkapan layar percakapan dan laporkan juga ke kepolisian setempat. Anda dapat mengaktifkan Penyandingan Keluarga untuk membatasi siapa yang bisa mengirim pesan ke anak Anda.")

c("id", "ID", IA, "user", "self_harm", "critical", "escalated_emergency_services",
  "teman saya mau bunuh diri",
  "tolong, teman sekelas saya @nadia.sedih upload video pamitan, bilang malam ini dia mau mengakhiri hidup. dia tinggal di bekasi. hp nya ga aktif",
  "Terima kasih sudah segera melapor, tindakanmu sangat berarti. Tim kami langsung meninjau video tersebut dan meneruskan informasi yang kami miliki ke layanan darurat. Mohon hubungi juga 112 atau polisi setempat dan beri tahu keluarganya jika kamu bisa. Jika kamu sendiri butuh dukungan, layanan konseling kesehatan jiwa Kemenkes di 119 ext. 8 siap membantu.")

c("id", "ID", IA, "user", "self_harm", "high", "content_removed",
  "Video menyayat tangan",
  "Ada akun yang upload foto tangan penuh sayatan baru dengan lagu galau dan caption 'ini caraku tenang'. Banyak anak SMP yang komen.",
  "Terima kasih atas laporanmu. Kami telah menghapus video tersebut karena menampilkan tindakan melukai diri secara eksplisit, dan kami mengirimkan informasi dukungan kepada pemilik akun. Jika konten seperti ini mengganggumu, jangan ragu untuk berbicara dengan orang yang kamu percaya atau menghubungi 119 ext. 8.")

c("id", "ID", PP, "trusted_flagger", "violent_extremism", "high", "content_removed",
  "Konten rekrutmen kelompok teror",
  "Kami menemukan 7 akun yang mengunggah video nasyid dengan gambar pejuang bersenjata dan ajakan 'berhijrah ke medan jihad', disertai kontak aplikasi pesan untuk bergabung. Daftar tautan terlampir.",
  "Terima kasih atas laporan Anda. Kami telah menghapus ketujuh akun karena mempromosikan organisasi ekstremis kekerasan, serta memblokir kontak eksternal yang dicantumkan. Materi tersebut telah ditambahkan ke sistem deteksi kami untuk mencegah unggahan ulang.")

c("id", "ID", IA, "user", "violent_threat", "critical", "escalated_law_enforcement",
  "Ancaman bom gereja saat Natal",
  "Ada akun yang posting foto gereja di dekat rumah saya dengan tulisan 'malam Natal nanti akan ada kembang api besar di sini' dan emoji bom. Komentarnya banyak yang mendukung.",
  "Terima kasih telah segera melapor. Kami telah menghapus konten tersebut, menangguhkan akun, dan meneruskan ancaman ini ke aparat penegak hukum karena sifatnya yang spesifik. Mohon laporkan juga ke kepolisian setempat (110) dan pengurus gereja agar langkah pengamanan bisa diambil.")

c("id", "ID", IA, "user", "graphic_violence", "medium", "age_restricted",
  "Video kecelakaan di jalan tol",
  "Akun berita lokal upload video kecelakaan beruntun di tol, kelihatan korban tergeletak. Apa boleh seperti itu?",
  "Terima kasih sudah bertanya. Kami telah meninjau video tersebut; karena diunggah oleh media berita tentang peristiwa penting, video tetap tersedia namun kami tambahkan peringatan konten sensitif dan batasi untuk pengguna di bawah 18 tahun.")

c("id", "ID", IA, "user", "hate_speech", "medium", "content_removed",
  "Ujaran kebencian terhadap etnis Tionghoa",
  "Video ini menyebut warga keturunan Tionghoa sebagai 'penjajah ekonomi' dan mengajak 'usir mereka' menjelang pemilu. Sudah ditonton ratusan ribu kali.",
  "Terima kasih atas laporannya. Kami telah menghapus video tersebut karena mengandung ujaran kebencian berbasis etnis dan ajakan pengusiran, serta memberikan sanksi pada akun terkait.")

c("id", "ID", IA, "user", "hate_speech", "medium", "content_removed",
  "Rasisme terhadap orang Papua",
  "Ada yang bikin video meniru suara monyet sambil menyebut mahasiswa Papua. Ini rasis banget.",
  "Terima kasih atas laporanmu. Kami telah menghapus video tersebut karena merendahkan orang berdasarkan ras dan asal daerah, dan kami mengambil tindakan terhadap akunnya. Rasisme tidak diterima di platform kami.",
  edited=True)

c("id", "ID", IA, "user", "harassment_bullying", "medium", "content_removed",
  "Body shaming di komentar",
  "Setiap saya upload video, ada akun yang komen 'gajah', 'babi', 'diet dulu baru upload'. Sudah saya blokir tapi dia bikin akun baru.",
  "Terima kasih sudah melapor, dan kami turut prihatin. Kami telah menghapus komentar yang melecehkan dan mengambil tindakan pada akun-akun terkait, termasuk akun baru yang dibuat untuk menghindari blokir. Kamu juga bisa mengaktifkan filter kata kunci di pengaturan komentar.")

c("id", "ID", CS, "creator", "harassment_bullying", "medium", "content_removed",
  "Diserang ramai-ramai di live",
  "Saya kreator kuliner. Tiap live ada rombongan akun yang masuk dan spam hinaan soal keluarga saya. Moderator saya kewalahan.",
  "Terima kasih sudah menghubungi kami. Kami telah menghapus komentar dan menangguhkan akun-akun yang teridentifikasi. Saat LIVE, kamu bisa menambah moderator, mengaktifkan filter kata kunci, dan membisukan penonton secara langsung.")

c("id", "ID", EM, "user", "doxxing_privacy", "critical", "content_removed",
  "Data pribadi saya disebar debt collector pinjol",
  "Saya telat bayar pinjol. Sekarang ada akun yang upload foto KTP saya, nomor HP, alamat rumah, dan menyebut saya penipu. Mereka juga kirim ke kontak keluarga saya.",
  "Kami turut prihatin atas situasi ini. Kami telah menghapus konten yang menyebarkan KTP, nomor telepon, dan alamat Anda tanpa izin, serta mengambil tindakan terhadap akun tersebut. Anda dapat melaporkan praktik penagihan seperti ini ke OJK dan ke kepolisian, dan menyimpan bukti tangkapan layar.")

c("id", "ID", IA, "user", "sexual_content", "medium", "content_removed",
  "Live joget vulgar minta gift",
  "Ada live yang jogetnya vulgar banget dan bilang 'kalau dapat gift singa aku buka baju'. Ini jam 7 malam, banyak anak-anak nonton.",
  "Terima kasih atas laporannya. Kami telah menghentikan LIVE tersebut dan membatasi akun dari fitur LIVE karena konten seksual eksplisit dan ajakan seksual tidak diperbolehkan.")

c("id", "ID", IA, "user", "dangerous_acts", "high", "content_removed",
  "Anak-anak menghadang truk",
  "Di daerah saya anak-anak bikin konten menghadang truk di jalan raya lalu lompat di detik terakhir. Sudah ada yang tertabrak.",
  "Terima kasih atas laporanmu. Kami telah menghapus video-video tersebut karena menampilkan tindakan berbahaya yang bisa menyebabkan cedera serius atau kematian, dan membatasi tagar terkait.")

c("id", "ID", API, "trusted_flagger", "scam_fraud", "medium", "account_suspended",
  "Promosi judi online",
  "Laporan otomatis: 58 akun mempromosikan situs judi slot dengan kata 'gacor' dan 'maxwin', menyisipkan link di komentar dan bio. Daftar akun terlampir.",
  "Terima kasih atas laporannya. Kami menangguhkan 55 dari 58 akun karena mempromosikan perjudian online ilegal dan penipuan; tiga akun lainnya tidak lagi memuat konten tersebut. Domain terkait telah kami blokir.")

c("id", "ID", IA, "user", "scam_fraud", "medium", "content_removed",
  "File APK undangan palsu",
  "Ada DM berisi file 'Undangan Pernikahan.apk'. Teman saya klik dan m-banking nya dikuras. Akun pengirimnya masih aktif.",
  "Terima kasih atas laporannya, dan kami turut prihatin atas kejadian yang dialami teman Anda. Kami telah menghapus pesan tersebut dan mengambil tindakan pada akun pengirim. Jangan pernah memasang file APK dari pesan; teman Anda sebaiknya segera menghubungi bank untuk memblokir rekening dan melapor ke polisi.")

c("id", "ID", IA, "user", "scam_fraud", "medium", "account_suspended",
  "Investasi robot trading bodong",
  "Akun ini pamer mobil mewah dan ngajak ikut 'robot trading' profit 5% per hari. Banyak orang di kolom komentar ngeluh uangnya ga bisa ditarik.",
  "Terima kasih atas laporannya. Kami menangguhkan akun tersebut karena mempromosikan skema investasi yang menipu. Anda bisa memeriksa legalitas investasi melalui OJK, dan korban dapat melapor ke kepolisian.",
  edited=True)

c("id", "ID", IA, "user", "impersonation", "medium", "account_suspended",
  "Akun palsu artis jualan",
  "Ada akun yang pakai nama dan foto artis terkenal, jualan skincare lewat transfer dan bilang ini 'akun kedua'. Artisnya sendiri sudah bilang di IG bukan dia.",
  "Terima kasih atas laporannya. Kami telah menangguhkan akun tersebut karena meniru identitas orang lain untuk tujuan penipuan. Jika menemukan akun serupa, silakan laporkan dari halaman profilnya.")

c("id", "ID", IA, "user", "misinformation", "medium", "label_applied",
  "Hoaks penculikan anak",
  "Video bilang ada penculik anak pakai mobil ambulans di kota kami, sekarang warga jadi main hakim sendiri. Polisi sudah bilang itu hoaks.",
  "Terima kasih atas laporanmu. Kami telah menambahkan label informasi belum terverifikasi dengan tautan ke klarifikasi resmi kepolisian, dan video tidak lagi direkomendasikan. Kami juga memantau unggahan serupa.")

c("id", "ID", PP, "government", "misinformation", "medium", "label_applied",
  "Hasil hitung cepat palsu",
  "Penyelenggara pemilu. Beredar video yang menampilkan grafik 'hasil resmi' sebelum rekapitulasi selesai, dengan logo lembaga kami. Itu tidak benar.",
  "Terima kasih atas pemberitahuannya. Kami telah memberi label pada video tersebut dengan tautan ke informasi resmi dan menghapus logo tiruan yang menyesatkan dari rekomendasi. Pencarian terkait pemilu kini menampilkan panduan informasi resmi.")

c("id", "ID", API, "trusted_flagger", "intellectual_property", "low", "content_removed",
  "Film bioskop diunggah per bagian",
  "Mitra anti-pembajakan. Akun @film_gratis_id mengunggah film yang sedang tayang di bioskop dalam 9 bagian. Tautan terlampir.",
  "Terima kasih atas laporannya. Kami telah menghapus kesembilan bagian tersebut dan memberikan teguran hak cipta kepada akun terkait.")

c("id", "ID", API, "trusted_flagger", "spam", "low", "account_suspended",
  "Spam komentar link judi",
  "Laporan otomatis: 214 akun baru mengirim komentar identik dengan tautan pendek ke situs judi di video-video trending selama 3 jam terakhir.",
  "Terima kasih atas sinyalnya. Kami telah memverifikasi dan menangguhkan akun-akun tersebut karena spam, menghapus komentarnya, serta memblokir tautan pendek yang digunakan.")

c("id", "ID", IA, "user", "account_access", "low", "information_provided",
  "Nomor HP hilang",
  "Nomor HP saya sudah hangus dan akun cuma terhubung ke nomor itu. Gimana cara login?",
  "Terima kasih sudah menghubungi kami. Di layar masuk, ketuk 'Laporkan masalah' lalu pilih 'Tidak bisa mengakses nomor telepon'. Kami akan memverifikasi kepemilikan akun melalui informasi akun. Setelah berhasil masuk, tambahkan email sebagai cadangan.")

c("id", "ID", CS, "creator", "account_access", "medium", "account_restored",
  "Akun diambil alih lewat kode OTP",
  "Ada yang telepon ngaku dari tim platform, minta kode OTP katanya buat verifikasi centang biru. Setelah saya kasih, akun saya langsung diambil alih dan dipakai live jualan palsu.",
  "Terima kasih sudah menghubungi kami. Kami telah memverifikasi kepemilikan Anda, menghentikan aktivitas penipu, dan memulihkan akses ke akun. Mohon diingat, kami tidak pernah meminta kode OTP lewat telepon atau pesan. Segera ganti kata sandi dan aktifkan verifikasi dua langkah.")

c("id", "ID", CS, "creator", "appeal", "low", "appeal_upheld",
  "Live jualan dihentikan",
  "Live saya jualan baju dihentikan karena dianggap 'konten menyesatkan'. Saya hanya jualan barang asli, ada nota pembelian.",
  "Terima kasih atas bandingnya. Setelah ditinjau ulang, kami tidak menemukan pelanggaran dalam LIVE Anda, sehingga pembatasan telah dicabut dan pelanggaran dihapus dari akun Anda.")

c("id", "ID", IA, "user", "appeal", "low", "appeal_denied",
  "Banding akun diblokir",
  "Akun saya diblokir padahal saya cuma repost video orang.",
  "Terima kasih atas bandingmu. Kami telah meninjau ulang akun tersebut dan menemukan pelanggaran berulang terhadap hak cipta serta konten spam. Karena itu, keputusan pemblokiran tetap berlaku.")

c("id", "ID", LE, "law_enforcement", "legal_request", "medium", "data_disclosed_under_legal_process",
  "Permintaan data - penyidikan penipuan",
  "Direktorat Reserse Siber. Terlampir surat permintaan dengan dasar hukum yang berlaku untuk data pendaftaran dan log IP akun @arisan_online_amanah terkait laporan polisi LP/B/1123/2024.",
  "Terima kasih atas permintaan terkait LP/B/1123/2024. Kami telah meninjau permintaan tersebut sesuai hukum yang berlaku dan kebijakan kami, lalu menyerahkan data pendaftaran dan log IP yang relevan melalui portal.")

c("id", "ID", PP, "government", "legal_request", "medium", "content_removed",
  "Permintaan pemutusan akses konten",
  "Kementerian. Berdasarkan peraturan yang berlaku, kami meminta pemutusan akses terhadap 5 konten investasi ilegal yang telah dinyatakan tidak berizin oleh regulator. Daftar URL terlampir.",
  "Terima kasih atas permintaannya. Setelah peninjauan, kelima konten tersebut telah dihapus karena melanggar pedoman kami terkait penipuan keuangan. Konfirmasi telah dikirim melalui portal.")

c("id", "ID", IA, "user", "no_violation", "low", "information_provided",
  "Cara dapat centang biru",
  "min gimana caranya biar akun saya dapat centang biru?",
  "Halo! Verifikasi diberikan untuk akun yang autentik, unik, dan dikenal luas. Kamu bisa mengajukannya di Pengaturan > Akun > Verifikasi. Kami tidak pernah meminta pembayaran atau kode OTP untuk verifikasi.")

c("id", "ID", IA, "user", "no_violation", "low", "no_violation_found",
  "Video tetangga pamer motor",
  "Tetangga saya bikin video pamer motor baru tiap hari. Saya risih, tolong dihapus.",
  "Terima kasih atas laporanmu. Kami telah meninjau video tersebut dan tidak menemukan pelanggaran pedoman komunitas. Kamu bisa memblokir akun tersebut atau memilih 'Tidak tertarik' agar videonya tidak muncul.")

# ---------------------------------------------------------------------------
# العربية
# ---------------------------------------------------------------------------
c("ar", "SA", IA, "user", "scam_fraud", "medium", "account_suspended",
  "إعلان وظيفة وهمية",
  "حساب ينشر إعلانات عن وظائف في شركة كبيرة براتب ١٢ ألف ريال ويطلب من المتقدمين دفع ٥٠٠ ريال رسوم تأشيرة وفحص طبي. أخي دفع ولم يرد عليه أحد.",
  "شكرًا لإبلاغك. قمنا بإيقاف الحساب بسبب نشر عروض عمل احتيالية. ننصح أخاك بالتواصل مع البنك فورًا وتقديم بلاغ للجهات المختصة، وتذكّر أن جهات التوظيف الحقيقية لا تطلب رسومًا مقابل الوظيفة.")

c("ar", "EG", IA, "user", "harassment_bullying", "high", "account_suspended",
  "شخص يهددني بنشر صوري",
  "شخص تعرفت عليه هنا أخذ صوري الخاصة ويهددني إذا لم أرسل له مالًا سينشرها ويرسلها لعائلتي. أنا خائفة جدًا.",
  "نحن آسفون جدًا لما تمرين به، وهذا ليس خطأك. قمنا بإيقاف الحساب واتخذنا إجراءات لمنع نشر الصور على منصتنا. ننصحك بعدم الدفع أو الرد عليه، والاحتفاظ بلقطات الشاشة، وتقديم بلاغ إلى مباحث الإنترنت. يمكنك أيضًا استخدام StopNCII.org للمساعدة في منع انتشار الصور على منصات أخرى.")

c("ar", "AE", IA, "user", "account_access", "low", "account_restored",
  "تم اختراق حسابي",
  "تم تغيير كلمة المرور والبريد الإلكتروني لحسابي ولا أستطيع الدخول. الحساب فيه كل فيديوهاتي من ٣ سنوات.",
  "شكرًا لتواصلك معنا. تحققنا من ملكيتك للحساب وأعدنا إليك الوصول بعد إلغاء التغييرات غير المصرّح بها. ننصحك بتعيين كلمة مرور قوية جديدة، وتفعيل التحقق بخطوتين، ومراجعة الأجهزة المتصلة بحسابك.")

c("ar", "MA", IA, "user", "no_violation", "low", "information_provided",
  "كيف أغير لغة التطبيق؟",
  "السلام عليكم، التطبيق عندي بالفرنسية وأريده بالعربية، كيف أغيره؟",
  "وعليكم السلام! انتقل إلى الملف الشخصي > القائمة > الإعدادات والخصوصية > اللغة، ثم اختر العربية. ستتغير لغة التطبيق فورًا.")

c("ar", "SA", PP, "ngo", "hate_speech", "medium", "content_removed",
  "مقاطع تحريض طائفي",
  "رصدت منظمتنا مجموعة مقاطع تسيء إلى أتباع مذهب ديني وتصفهم بالنجاسة وتدعو إلى طردهم. أرفقنا قائمة بالروابط.",
  "شكرًا على بلاغكم المفصل. راجعنا المقاطع وأزلنا التي تتضمن خطاب كراهية وتحريضًا على أساس الدين، واتخذنا إجراءات بحق الحسابات المسؤولة. نقدّر تعاونكم وسنبقى على تواصل عبر بوابة الشركاء.")

c("ar", "JO", IA, "user", "impersonation", "medium", "account_suspended",
  "حساب مزيف لجمعية خيرية",
  "يوجد حساب يستخدم اسم وشعار جمعية خيرية معروفة ويطلب تبرعات لأهل غزة عبر تحويل إلى رقم شخصي. الجمعية نشرت تحذيرًا أنه ليس حسابها.",
  "شكرًا لإبلاغك. قمنا بإيقاف الحساب لانتحاله صفة جهة خيرية بغرض الاحتيال. ننصح دائمًا بالتبرع عبر القنوات الرسمية الموثقة للجمعيات.",
  edited=True)

# ---------------------------------------------------------------------------
# 日本語
# ---------------------------------------------------------------------------
c("ja", "JP", IA, "user", "account_access", "low", "information_provided",
  "パスワードを忘れてログインできません",
  "機種変更したらログインできなくなりました。パスワードを忘れてしまい、登録したメールアドレスも覚えていません。",
  "お問い合わせありがとうございます。まずはログイン画面の「パスワードを忘れた場合」から、登録している可能性のある電話番号でお試しください。それでも難しい場合は、ログイン画面の「問題を報告」から「アカウントにアクセスできない」を選択いただければ、アカウント情報をもとにご本人確認を行います。")

c("ja", "JP", CS, "creator", "harassment_bullying", "medium", "content_removed",
  "誹謗中傷コメントが止まりません",
  "配信者として活動しています。特定の人物が複数のアカウントを使って「消えろ」「ブス」などのコメントを毎日書き込んできます。精神的に限界です。",
  "ご連絡いただきありがとうございます。つらい状況の中でお知らせいただき感謝いたします。該当するコメントを削除し、同一人物によると判断した複数のアカウントに対して措置を講じました。コメントのキーワードフィルターや、コメントできるユーザーの制限もご活用ください。被害が続く場合は、警察や法務局の相談窓口へのご相談もご検討ください。",
  edited=True)

c("ja", "JP", IA, "user", "doxxing_privacy", "critical", "content_removed",
  "自宅が特定されて晒されています",
  "私の動画の窓の外の景色から自宅を特定したという動画が投稿され、マンション名と部屋番号まで書かれています。「凸しに行く」というコメントもあり怖いです。",
  "ご報告いただきありがとうございます。大変ご不安なことと思います。ご住所を特定・公開していた動画を削除し、投稿したアカウントに措置を講じました。再投稿についても監視しています。「凸」をほのめかすコメントもあるため、最寄りの警察へのご相談をおすすめします。")

c("ja", "JP", API, "trusted_flagger", "intellectual_property", "low", "content_removed",
  "アニメ本編の無断アップロード",
  "権利者パートナーからの自動通報です。放送中のアニメ第5話が3分割で無断アップロードされています。URL一覧を添付します。",
  "ご報告ありがとうございます。著作権侵害として該当する3件の動画を削除し、アカウントに著作権違反の警告を付与しました。")

c("ja", "JP", IA, "user", "no_violation", "low", "information_provided",
  "いいねした動画を非公開にしたい",
  "自分がいいねした動画を他の人に見られたくないです。どうすればいいですか？",
  "お問い合わせありがとうございます。プロフィール > メニュー > 設定とプライバシー > プライバシー > 「いいねした動画」から、表示範囲を「自分のみ」に変更できます。")

c("ja", "JP", IA, "user", "dangerous_acts", "high", "content_removed",
  "線路に立ち入る動画",
  "高校生が踏切から線路に入り、電車が近づくギリギリまで立っている動画がバズっています。真似する人が出そうで心配です。",
  "ご報告ありがとうございます。重大なけがや死亡につながる危険な行為を映したものとして動画を削除し、関連するハッシュタグの表示を制限しました。")

# ---------------------------------------------------------------------------
# Türkçe
# ---------------------------------------------------------------------------
c("tr", "TR", IA, "user", "scam_fraud", "medium", "account_suspended",
  "Yasa dışı bahis reklamı",
  "Bu hesap her videoda 'kesin kazanç kuponu' paylaşıp VIP gruba girmek için 1000 TL istiyor. Arkadaşım para gönderdi, sonra engellendi.",
  "Bildiriminiz için teşekkür ederiz. Hesabı yasa dışı bahis ve dolandırıcılık içeriği nedeniyle askıya aldık. Arkadaşınızın bankasıyla iletişime geçmesini ve savcılığa ya da emniyete şikâyette bulunmasını öneririz.")

c("tr", "TR", CS, "creator", "appeal", "low", "appeal_upheld",
  "Videom yanlışlıkla kaldırıldı",
  "Kasap olarak et kesim tekniği anlattığım video 'şiddet içeren içerik' diye kaldırıldı. Bu benim mesleğim, eğitim amaçlı.",
  "İtirazınız için teşekkür ederiz. Videonuzu yeniden inceledik ve mesleki, eğitici bir içerik olduğunu gördük. Videoyu geri yükledik ve hesabınızdaki ihlali kaldırdık.")

c("tr", "TR", IA, "user", "hate_speech", "medium", "content_removed",
  "Suriyelilere karşı nefret videosu",
  "Bir hesap Suriyelileri 'haşere' diye nitelendirip mahalleden 'temizlenmeleri' gerektiğini söylüyor. Yorumlarda saldırı planlayanlar var.",
  "Bildiriminiz için teşekkür ederiz. Videoyu, uyruğa dayalı aşağılayıcı ifadeler ve şiddete kışkırtma içerdiği için kaldırdık ve hesaba yaptırım uyguladık. Yorumlardaki olası şiddet tehditlerini de ayrıca inceledik.")

c("tr", "DE", IA, "user", "account_access", "low", "information_provided",
  "Doğrulama kodu gelmiyor",
  "Giriş yaparken SMS kodu gelmiyor, numaram Almanya numarası. Ne yapmalıyım?",
  "Yaşadığınız sorun için üzgünüz. Giriş ekranında 'Kod gelmedi mi?' seçeneğine dokunup e-posta ile doğrulamayı deneyebilirsiniz. Sorun devam ederse giriş ekranındaki 'Sorun bildir' bölümünden bize ulaşın, hesap bilgilerinizle kimliğinizi doğrulayalım.")

c("tr", "TR", IA, "user", "misinformation", "medium", "content_removed",
  "Sahte deprem uyarısı",
  "Bir hesap 'yarın saat 14:00'te İstanbul'da 7.5 deprem olacak, şehri terk edin' diye video paylaşmış. İnsanlar paniğe kapıldı.",
  "Bildiriminiz için teşekkür ederiz. Videoyu, kamu güvenliğini tehlikeye atabilecek yanlış bir acil durum uyarısı içerdiği için kaldırdık. Deprem konusunda lütfen yalnızca resmî kurumların açıklamalarını takip edin.")

c("tr", "TR", IA, "user", "no_violation", "low", "information_provided",
  "Videoyu nasıl indiririm?",
  "Kendi videolarımı filigransız nasıl indirebilirim?",
  "Merhaba! Kendi videonuzu açıp Paylaş > Videoyu kaydet seçeneğine dokunarak indirebilirsiniz. Tüm videolarınızın kopyası için Ayarlar ve gizlilik > Hesap > Verilerinizi indirin bölümünden veri talebinde bulunabilirsiniz.")

# ---------------------------------------------------------------------------
# हिन्दी
# ---------------------------------------------------------------------------
c("hi", "IN", IA, "user", "scam_fraud", "medium", "account_suspended",
  "नकली कस्टमर केयर नंबर",
  "एक अकाउंट खुद को बैंक का कस्टमर केयर बताकर वीडियो में नंबर दे रहा है। मेरे पापा ने कॉल किया तो उन्होंने KYC के नाम पर OTP लेकर 40,000 रुपये निकाल लिए।",
  "रिपोर्ट करने के लिए धन्यवाद, और आपके पिताजी के साथ हुई घटना के लिए हमें खेद है। हमने धोखाधड़ी के कारण इस अकाउंट को निलंबित कर दिया है। कृपया तुरंत बैंक से संपर्क करें और 1930 पर कॉल करके या cybercrime.gov.in पर शिकायत दर्ज करें। बैंक कभी भी OTP नहीं मांगता।")

c("hi", "IN", IA, "user", "harassment_bullying", "high", "account_suspended",
  "मेरी फोटो एडिट करके डाली गई",
  "कॉलेज के एक लड़के ने मेरी फोटो को गंदे तरीके से एडिट करके वीडियो बनाया है और मेरा नाम भी लिखा है। सब लोग देख रहे हैं।",
  "हमें बहुत खेद है कि आपको यह सहना पड़ा, इसमें आपकी कोई गलती नहीं है। हमने वीडियो हटा दिया है और अकाउंट को निलंबित कर दिया है। आप cybercrime.gov.in पर या नजदीकी पुलिस स्टेशन में शिकायत कर सकती हैं। अगर यह दोबारा दिखे तो कृपया इस टिकट का हवाला देकर रिपोर्ट करें।")

c("hi", "IN", IA, "user", "account_access", "low", "information_provided",
  "अकाउंट लॉगिन नहीं हो रहा",
  "मेरा पुराना सिम बंद हो गया है और OTP उसी पर जाता है। अकाउंट कैसे खोलूं?",
  "संपर्क करने के लिए धन्यवाद। लॉगिन स्क्रीन पर 'समस्या की रिपोर्ट करें' पर टैप करें और 'फोन नंबर तक पहुंच नहीं' चुनें। हम आपके अकाउंट की जानकारी के आधार पर आपकी पहचान सत्यापित करेंगे। लॉगिन होने के बाद बैकअप के लिए ईमेल भी जोड़ लें।")

c("hi", "IN", IA, "user", "no_violation", "low", "information_provided",
  "कमेंट कैसे बंद करें",
  "मेरे वीडियो पर कमेंट बंद करने का तरीका बताइए",
  "नमस्ते! वीडियो खोलें, तीन बिंदुओं पर टैप करें, फिर 'गोपनीयता सेटिंग्स' में जाकर 'कमेंट की अनुमति दें' को बंद कर दें। सभी वीडियो के लिए सेटिंग्स और गोपनीयता > गोपनीयता > कमेंट में जाकर बदलाव कर सकते हैं।")

c("hi", "IN", IA, "user", "misinformation", "medium", "content_removed",
  "झूठी अफवाह से तनाव",
  "एक वीडियो में दावा किया गया है कि हमारे शहर के एक समुदाय ने कुएं में जहर मिला दिया है। पुलिस ने इसे झूठ बताया है, लेकिन लोग भड़क रहे हैं।",
  "रिपोर्ट करने के लिए धन्यवाद। हमने यह वीडियो हटा दिया है क्योंकि इसमें झूठी जानकारी है जो हिंसा भड़का सकती है। हम इसी तरह की अन्य पोस्ट पर भी नज़र रख रहे हैं। कृपया पुलिस और प्रशासन की आधिकारिक जानकारी पर ही भरोसा करें।")

c("hi", "IN", IA, "user", "self_harm", "high", "information_provided",
  "परीक्षा का बहुत तनाव है",
  "मैं 12वीं में हूं, बोर्ड के पेपर खराब गए। घर वाले बहुत गुस्सा होंगे। कभी-कभी लगता है सब खत्म कर दूं। किसी को नहीं बताया।",
  "हमें लिखने के लिए धन्यवाद, आपने यह बताकर बहुत हिम्मत दिखाई है। आप अकेले नहीं हैं और एक परीक्षा आपकी पूरी ज़िंदगी तय नहीं करती। कृपया Tele-MANAS हेल्पलाइन 14416 पर कॉल करें, यह मुफ्त और गोपनीय है, और किसी भरोसेमंद व्यक्ति से बात करें। अगर कभी खुद को नुकसान पहुंचाने का खतरा लगे, तो तुरंत 112 पर कॉल करें।")

# ---------------------------------------------------------------------------
# Italiano
# ---------------------------------------------------------------------------
c("it", "IT", CS, "creator", "impersonation", "medium", "account_suspended",
  "Profilo falso che usa il mio nome",
  "Sono una creator di cucina (@cucina_di_giulia). Un account con le mie foto scrive ai miei follower che hanno vinto un corso e devono pagare 20 euro con ricarica.",
  "Grazie per la segnalazione. Abbiamo verificato che l'account ti stava impersonando e lo abbiamo sospeso. Ti consigliamo di pubblicare un avviso ricordando che non chiedi mai pagamenti ai follower. Se ne compaiono altri, segnalali dal profilo citando questo ticket.")

c("it", "IT", EM, "user", "intellectual_property", "low", "content_removed",
  "Mia foto usata senza permesso",
  "Sono un fotografo. Un account usa una mia foto delle Dolomiti in un video promozionale di un hotel, senza autorizzazione né credito.",
  "Grazie per la tua segnalazione di violazione del diritto d'autore. Dopo la verifica abbiamo rimosso il video. L'utente è stato informato e può presentare una contro-notifica se ritiene che si tratti di un errore.")

c("it", "IT", CS, "creator", "appeal", "low", "appeal_denied",
  "Ricorso contro rimozione video",
  "Il mio video in cui faccio uno scherzo al mio coinquilino fingendo un incendio è stato rimosso. Era solo uno scherzo!",
  "Grazie per il ricorso. Abbiamo riesaminato il video e confermato che mostra uno scherzo che può provocare forte spavento e panico reale in una persona, violando le nostre linee guida sugli scherzi pericolosi. La rimozione resta valida.")

c("it", "IT", IA, "user", "harassment_bullying", "medium", "content_removed",
  "Video che prende in giro mia figlia",
  "Dei compagni di classe hanno pubblicato un video di mia figlia che balla con commenti cattivi sul suo peso. Lei non vuole più andare a scuola.",
  "Ci dispiace molto per quello che sta vivendo sua figlia e grazie per la segnalazione. Abbiamo rimosso il video per bullismo e preso provvedimenti sull'account. Le consigliamo di informare la scuola; può inoltre rivolgersi al numero 1.96.96 di Telefono Azzurro per un supporto.")

c("it", "IT", IA, "user", "scam_fraud", "medium", "account_suspended",
  "Finto trading online",
  "Un account promette guadagni del 30% al mese con un 'esperto di trading' su WhatsApp. Mia madre ha versato 2.000 euro e ora chiedono altre 'commissioni' per prelevare.",
  "Ci dispiace per quanto accaduto. Abbiamo sospeso l'account per promozione di uno schema di investimento fraudolento. Sua madre non deve versare altro denaro; le consigliamo di contattare subito la banca e sporgere denuncia alla Polizia Postale.")

c("it", "CH", IA, "user", "no_violation", "low", "information_provided",
  "Come blocco un utente?",
  "Come faccio a bloccare una persona che mi scrive sempre?",
  "Ciao! Vai sul profilo della persona, tocca l'icona di condivisione o i tre puntini in alto e seleziona 'Blocca'. Non potrà più vedere i tuoi contenuti né scriverti, e non riceverà alcuna notifica del blocco.")

# ---------------------------------------------------------------------------
# Additional partner, advertiser and law-enforcement cases
# ---------------------------------------------------------------------------
c("en", "US", API, "advertiser", "impersonation", "medium", "content_removed",
  "Creator falsely claiming to be our brand ambassador",
  "Brand protection, outdoor apparel company. A creator with 400k followers says he is our 'official ambassador' and promotes a 70% discount code that leads to a store selling knock-offs of our jackets. We have never worked with him. Examples: https://www.example-video.com/@trailking_deals/video/7319900112 and four more in the portal.",
  "Thank you for the report. We reviewed the five videos and removed them because they falsely presented an affiliation with your brand to sell counterfeit goods; the account also received a strike. If you'd like, you can register your official creator partnerships with your account manager so similar claims are easier to verify.")

c("en", "GB", EM, "advertiser", "scam_fraud", "high", "content_removed",
  "Deepfake of our CEO promoting an investment scheme",
  "We are a UK fintech. Videos are circulating that use an AI-generated version of our CEO's face and voice telling viewers to invest in a 'government-backed crypto fund' through a WhatsApp number. Customers have called us asking if it's real. Three links below and a signed letter from our legal team attached.",
  "Thank you for alerting us and for the supporting documentation. We removed the three videos and the accounts that posted them for fraudulent use of manipulated media, and we added the videos to our matching systems so copies are blocked. We'd suggest warning your customers through your official channels, and affected people can report losses to Action Fraud.",
  edited=True)

c("es", "MX", API, "advertiser", "intellectual_property", "low", "content_removed",
  "Perfumes falsificados con nuestra marca",
  "Equipo de protección de marca de una casa de perfumería. Detectamos 11 videos que venden 'perfumes 1:1' con nuestra marca registrada y logotipo, con enlace a una tienda externa. Adjuntamos los números de registro ante la autoridad de propiedad industrial.",
  "Gracias por su reporte. Tras revisar los registros de marca, eliminamos los 11 videos por venta de productos falsificados y aplicamos una advertencia a las cuentas. En caso de reincidencia, las cuentas serán suspendidas conforme a nuestra política.")

c("pt", "BR", EM, "advertiser", "no_violation", "low", "information_provided",
  "Por que nosso anúncio foi reprovado?",
  "Somos uma loja de suplementos e nosso anúncio foi reprovado sem explicação clara. O vídeo só mostra uma pessoa treinando e o produto. Como resolvemos?",
  "Obrigado pelo contato. Anúncios de suplementos não podem fazer promessas de resultados corporais ou de saúde, e o texto do seu anúncio mencionava 'perca 5 kg em uma semana', o que motivou a reprovação. Você pode editar o texto no Gerenciador de Anúncios e reenviar para análise, ou solicitar uma nova revisão pela mesma ferramenta.")

c("id", "ID", EM, "advertiser", "impersonation", "medium", "account_suspended",
  "Toko resmi palsu memakai merek kami",
  "Kami pemilik merek kosmetik lokal. Ada akun bernama 'official store' yang live jualan produk kami dengan harga sangat murah, padahal bukan toko resmi. Pembeli mengeluh barang yang diterima palsu.",
  "Terima kasih atas laporan Anda. Kami telah menangguhkan akun tersebut karena meniru merek Anda dan menjual produk palsu. Kami menyarankan Anda menyelesaikan verifikasi akun resmi merek agar pembeli lebih mudah mengenali toko asli.")

c("en", "US", API, "advertiser", "spam", "low", "account_suspended",
  "Bot comments under our ads",
  "Our paid campaign is getting hundreds of identical comments from new accounts saying 'get this product free here' with a link. It's hurting the campaign and confusing customers.",
  "Thank you for flagging this. We banned the spam accounts and removed their comments from your ads, and the link has been added to our blocklist. You can also enable comment filtering for your ads in Ads Manager to hide comments with links automatically.")

c("en", "US", LE, "law_enforcement", "legal_request", "medium", "request_rejected",
  "Request for all users who used protest hashtag",
  "City police department. Please provide names, phone numbers and IP addresses of all users who posted with the hashtag #marchdowntown between 6pm and 11pm on Saturday.",
  "Thank you for your request. We are unable to provide data on all users who used a hashtag, as the request is not tied to specific accounts and is overly broad under applicable law and our policies. If you are investigating a specific offence, please submit valid legal process identifying the particular accounts involved through the portal.")

c("en", "GB", LE, "law_enforcement", "legal_request", "critical", "data_disclosed_under_legal_process",
  "EMERGENCY: ransom video of adult male",
  "Urgent emergency disclosure request. A video was posted 40 minutes ago showing a man bound and gagged with a demand for payment. Family believe he is being held at an unknown address. Requesting IP, device and location data for the uploading account. DS K. Morgan, operation ref HAWTHORN-24.",
  "Thank you for your emergency request (ref HAWTHORN-24). Given the imminent risk to life, we approved the request and provided the available IP, login and device data for the uploading account through the portal, and we preserved the account and video. Please follow up with formal legal process for any further records.",
  edited=True)

c("es", "ES", LE, "law_enforcement", "legal_request", "medium", "information_provided",
  "Solicitud de conservación de datos",
  "Guardia Civil, equipo de delitos telemáticos. Solicitamos la conservación de los datos de la cuenta @ofertas_iphone_es durante 90 días mientras se tramita la orden judicial. Diligencias 1187/2024.",
  "Gracias por su solicitud. Hemos conservado los datos asociados a la cuenta durante 90 días en relación con las diligencias 1187/2024. Para su comunicación será necesario remitir la orden judicial correspondiente a través del portal antes de que venza el plazo.")

c("en", "US", IA, "user", "account_access", "low", "account_restored",
  "Email on my account changed to one I don't know",
  "I got an email saying my account email was changed to fastgains77@example.com. That's not me! I can still log in on my phone right now.",
  "Thanks for reporting this quickly. We verified you're the account owner, reverted the email change and signed out all other sessions. Please change your password now, turn on 2-step verification, and check Security > Manage devices for anything you don't recognise.")

c("en", "US", IA, "user", "no_violation", "low", "information_provided",
  "why cant i go live",
  "the live button isnt showing for me. i have 600 followers. is my account restricted?",
  "Thanks for reaching out. Your account isn't restricted — to host a LIVE you need to be at least 18 years old and meet the follower threshold for your region, which is currently 1,000 followers. Once you meet the requirements, the LIVE option will appear automatically on the camera screen.")

c("en", "CA", PP, "ngo", "harassment_bullying", "high", "content_removed",
  "Coordinated harassment of women game streamers",
  "Our digital safety NGO has tracked a group chat that organises 'raids' on female game streamers, flooding their videos with rape jokes and doctored images. Targets this week: 6 creators. Raid timing and participating accounts attached.",
  "Thank you for this detailed referral. We removed the abusive comments and manipulated images, banned the accounts that participated in the organised raids, and applied additional protections to the six creators' accounts. We've also reached out to the creators with information about our safety tools. Please continue to share new raid signals through the portal.")

c("pt", "PT", IA, "user", "graphic_violence", "medium", "age_restricted",
  "Vídeo de tourada",
  "Um canal publicou uma tourada com o touro ferido e a sangrar. Acho isto cruel e não devia estar aqui.",
  "Obrigado pela sua denúncia. Analisámos o vídeo e trata-se do registo de um evento cultural legal, sem grandes planos explícitos, pelo que se mantém disponível. Ainda assim, aplicámos um aviso de conteúdo sensível e restringimos o vídeo a maiores de 18 anos.")

c("fr", "FR", CS, "creator", "account_access", "low", "account_restored",
  "Plus accès à la double authentification",
  "J'ai changé de téléphone et perdu mon application d'authentification. Je ne peux plus me connecter à mon compte pro (@atelier_margaux). J'ai toujours accès à mon e-mail.",
  "Merci de nous avoir contactés. Après vérification de votre identité via votre adresse e-mail et l'historique du compte, nous avons réinitialisé la validation en deux étapes et rétabli votre accès. Pensez à la réactiver avec votre nouveau téléphone et à enregistrer les codes de secours en lieu sûr.")

c("de", "DE", EM, "user", "doxxing_privacy", "high", "content_removed",
  "Mein Kennzeichen, Name und Arbeitgeber in einem Video",
  "Jemand hat mich beim Einparken gefilmt und als 'Idiot der Woche' gepostet. Man sieht mein Gesicht und Kennzeichen, und in der Beschreibung stehen mein voller Name und mein Arbeitgeber. Jetzt rufen Leute bei meiner Firma an.",
  "Vielen Dank für Ihre Meldung, und es tut uns leid, dass Sie das erleben. Wir haben das Video entfernt, da es Ihren Namen und Arbeitgeber ohne Einwilligung veröffentlicht und zu Belästigung geführt hat, und Maßnahmen gegen den Account ergriffen. Sollten erneute Uploads auftauchen, melden Sie diese bitte unter Angabe dieses Tickets.")

c("en", "KE", IA, "user", "hate_speech", "high", "content_removed",
  "Ethnic hate ahead of elections",
  "A video says people from one community are 'madoadoa' (stains) who must be removed from the Rift Valley before voting day. It's being shared a lot in our county.",
  "Thank you for reporting this. We removed the video for hate speech and incitement against an ethnic group and took action on the account. We are monitoring for similar content during the election period and have added related terms to our detection. If you are aware of planned violence, please contact the police.")

# ===========================================================================
# Validation, output and coverage report
# ===========================================================================
import re  # noqa: E402

URL_RE = re.compile(r"https?://([^/\s]+)")
ALLOWED_URL_HOSTS = {"www.example-video.com", "example-video.com", "example.com", "www.example.com"}
MAIN_LANGS = ["es", "pt", "fr", "de", "id"]


def finalize(cases: list[dict]) -> list[dict]:
    cases = list(cases)
    # Deterministic interleaving so ids are not grouped by language/category.
    random.Random(20241125).shuffle(cases)
    out = []
    for i, case in enumerate(cases, 1):
        row = {"id": f"seed-{i:04d}"}
        row.update(case)
        out.append({k: row[k] for k in KEYS})
    return out


def validate(rows: list[dict]) -> list[str]:
    errors: list[str] = []
    ids, bodies, subjects = set(), {}, {}
    for r in rows:
        rid = r["id"]
        if list(r.keys()) != KEYS:
            errors.append(f"{rid}: wrong keys {list(r.keys())}")
        if rid in ids:
            errors.append(f"{rid}: duplicate id")
        ids.add(rid)
        cat = r["category"]
        if cat not in CATEGORY_QUEUE:
            errors.append(f"{rid}: bad category {cat}")
            continue
        if r["risk"] not in RISK_ORDER:
            errors.append(f"{rid}: bad risk {r['risk']}")
        elif RISK_ORDER.index(r["risk"]) < RISK_ORDER.index(RISK_FLOOR[cat]):
            errors.append(f"{rid}: risk {r['risk']} below floor {RISK_FLOOR[cat]} for {cat}")
        expected_q = queue_for(cat, r["risk"], r["channel"], r["reporter_type"], r["language"], r["region"])
        if r["queue"] != expected_q:
            errors.append(f"{rid}: queue {r['queue']} != {expected_q}")
        if r["channel"] not in CHANNELS:
            errors.append(f"{rid}: bad channel {r['channel']}")
        if r["reporter_type"] not in REPORTERS:
            errors.append(f"{rid}: bad reporter_type {r['reporter_type']}")
        if r["reporter_type"] in ("law_enforcement", "government") and r["channel"] == "law_enforcement_portal" \
                and cat != "legal_request":
            errors.append(f"{rid}: law-enforcement portal data request should be legal_request")
        if r["outcome"] not in OUTCOMES:
            errors.append(f"{rid}: bad outcome {r['outcome']}")
        if r["status"] not in ("accepted", "edited"):
            errors.append(f"{rid}: bad status {r['status']}")
        if r["language"] not in LANG_REGIONS:
            errors.append(f"{rid}: unexpected language {r['language']}")
        elif r["region"] not in LANG_REGIONS[r["language"]]:
            errors.append(f"{rid}: region {r['region']} implausible for {r['language']}")
        for field in ("subject", "body", "final_reply"):
            text = r[field]
            if not text or '"' in text and field == "subject":
                errors.append(f"{rid}: bad {field}")
            if re.search(r"\{[a-z_]+\}", text):
                errors.append(f"{rid}: placeholder in {field}")
            for host in URL_RE.findall(text):
                if host.rstrip(".,)") not in ALLOWED_URL_HOSTS:
                    errors.append(f"{rid}: non-example URL host {host} in {field}")
        key = r["body"].strip().lower()
        if key in bodies:
            errors.append(f"{rid}: duplicate body of {bodies[key]}")
        bodies[key] = rid
        sk = r["subject"].strip().lower()
        if sk in subjects:
            errors.append(f"{rid}: duplicate subject of {subjects[sk]}")
        subjects[sk] = rid
    return errors


def coverage(rows: list[dict]) -> dict[str, Counter]:
    return {f: Counter(r[f] for r in rows) for f in
            ("category", "language", "channel", "reporter_type", "risk", "outcome", "status", "queue")}


def coverage_problems(rows: list[dict]) -> list[str]:
    cov = coverage(rows)
    probs = []
    for cat in CATEGORY_QUEUE:
        if cov["category"][cat] < 12:
            probs.append(f"category {cat}: {cov['category'][cat]} < 12")
    for ch in CHANNELS:
        if cov["channel"][ch] < 15:
            probs.append(f"channel {ch}: {cov['channel'][ch]} < 15")
    for rt in REPORTERS:
        if cov["reporter_type"][rt] < 10:
            probs.append(f"reporter_type {rt}: {cov['reporter_type'][rt]} < 10")
    for lang in MAIN_LANGS:
        n = cov["language"][lang]
        ncat = len({r["category"] for r in rows if r["language"] == lang})
        if n < 20 or ncat < 8:
            probs.append(f"language {lang}: {n} cases over {ncat} categories")
    if len(rows) < 330:
        probs.append(f"only {len(rows)} cases (< 330)")
    return probs


def md_table(title: str, counter: Counter, order: list[str] | None = None) -> str:
    keys = order or sorted(counter, key=lambda k: (-counter[k], k))
    lines = [f"| {title} | cases |", "|---|---:|"]
    lines += [f"| `{k}` | {counter[k]} |" for k in keys]
    lines.append(f"| **total** | **{sum(counter.values())}** |")
    return "\n".join(lines)


def lang_category_table(rows: list[dict]) -> str:
    langs = [l for l, _ in Counter(r["language"] for r in rows).most_common()]
    head = "| category | " + " | ".join(langs) + " | total |"
    sep = "|---|" + "---:|" * (len(langs) + 1)
    grid = defaultdict(Counter)
    for r in rows:
        grid[r["category"]][r["language"]] += 1
    lines = [head, sep]
    for cat in CATEGORY_QUEUE:
        cells = [str(grid[cat][l] or "") for l in langs]
        lines.append(f"| `{cat}` | " + " | ".join(cells) + f" | {sum(grid[cat].values())} |")
    return "\n".join(lines)


README_TEMPLATE = """# Seed case memory (`seed/cases.jsonl`)

A bundled "case memory" of **{n} past trust-and-safety support tickets** for a large,
global short-video platform, used by `triage` as retrieval examples and as a starting
corpus for evaluation. Each line is one resolved case: the incoming ticket (subject and
body), its triage labels (category, risk, queue) and the reply an experienced agent
actually sent, plus the final outcome.

## Provenance and licence

All texts were **written by the triage project team for this project**; they are original
and were not copied or adapted from any existing dataset, forum or real ticket. Names,
@handles, case/reference numbers and organisations are fictitious, and links only use
example domains (e.g. `https://www.example-video.com/@handle/video/123456`). Public
helplines and official reporting services are named in replies where a real agent would
point to them. The data is released under the same licence as the project
(**Apache-2.0**).

The file is generated by `seed/build_seed.py`, which contains the hand-written cases as
data, assigns sequential ids (`seed-0001` …) after a fixed-seed shuffle, validates every
row and rewrites this README. Edit the cases in the script, then run:

```
python seed/build_seed.py          # validate, write cases.jsonl and README.md
python seed/build_seed.py --check  # validate and print coverage only
```

## Format

JSON Lines, UTF-8, one object per line with exactly these keys:

| field | meaning |
|---|---|
| `id` | stable sequential id, `seed-0001` … |
| `subject` | ticket subject as written by the reporter (in the ticket language) |
| `body` | ticket text as written by the reporter — informal, sometimes with typos; links use example domains only |
| `language` | ISO 639-1 code of the ticket; subject, body and reply are all in this language |
| `region` | ISO 3166-1 alpha-2 country of the reporter, plausible for the language |
| `channel` | `in_app_report`, `email`, `partner_portal`, `law_enforcement_portal`, `creator_support`, `api` |
| `reporter_type` | `user`, `creator`, `trusted_flagger`, `ngo`, `government`, `law_enforcement`, `advertiser` |
| `category` | one of the 19 policy categories (see table below) |
| `risk` | `critical`, `high`, `medium`, `low`; never below the category's policy floor |
| `queue` | routing queue derived from the category (see mapping below) |
| `final_reply` | the reply that was sent to the reporter (2–6 sentences, ticket language) |
| `outcome` | `content_removed`, `account_suspended`, `escalated_law_enforcement`, `escalated_emergency_services`, `age_restricted`, `no_violation_found`, `account_restored`, `appeal_upheld`, `appeal_denied`, `information_provided`, `data_disclosed_under_legal_process`, `request_rejected`, `label_applied` |
| `status` | `accepted` (draft sent as is) or `edited` (a reviewer edited the draft before sending) |

### Category → risk floor → queue

| category | risk floor | queue |
|---|---|---|
{mapping}

Data or legal requests from `law_enforcement` or `government` reporters (subpoenas,
warrants, emergency disclosure requests, removal orders, DSA regulator inquiries) are
labelled `legal_request` and therefore routed to `legal_requests`.

### Reply conventions

Replies thank the reporter, say what was reviewed and what happened (only stating an
action when the case outcome says it was taken), give next steps or resources (crisis
lines and emergency numbers for self-harm and threats, recovery steps for account
access, police/bank/fraud-reporting advice for scams), and never disclose details about
other users' accounts. Replies to law enforcement reference the request and describe
disclosure only in terms of the legal process received.

## What is covered

Hard and realistic cases are included on purpose: grooming in DMs and sextortion of
minors, suicide livestreams and pro-eating-disorder content, dangerous challenges,
crypto-giveaway, romance, task and fake-shop scams, fake brand and creator accounts,
copyright and trademark notices, election and health misinformation, police data
requests with case numbers, emergency disclosure requests, NGO reports of hate
campaigns, regulators asking about removals under the DSA, spam-bot comment floods,
hacked accounts / lost 2FA / lock-outs, creators appealing removals (upheld and denied),
ambiguous content that was found not violating (edgy jokes, parody, hunting, news),
newsworthy graphic footage that was age-restricted, and plain "how do I …" questions.

## Coverage

{n} cases. Generated by `build_seed.py`; do not edit these tables by hand.

### By category

{cat_table}

### By language

{lang_table}

### By channel

{channel_table}

### By reporter type

{reporter_table}

### By risk

{risk_table}

### By outcome

{outcome_table}

### By status

{status_table}

### Category × language

{grid}
"""


def render_readme(rows: list[dict]) -> str:
    cov = coverage(rows)
    mapping = "\n".join(f"| `{c}` | {RISK_FLOOR[c]} | `{q}` |" for c, q in CATEGORY_QUEUE.items())
    return README_TEMPLATE.format(
        n=len(rows), mapping=mapping,
        cat_table=md_table("category", cov["category"], list(CATEGORY_QUEUE)),
        lang_table=md_table("language", cov["language"]),
        channel_table=md_table("channel", cov["channel"], CHANNELS),
        reporter_table=md_table("reporter_type", cov["reporter_type"], REPORTERS),
        risk_table=md_table("risk", cov["risk"], ["critical", "high", "medium", "low"]),
        outcome_table=md_table("outcome", cov["outcome"]),
        status_table=md_table("status", cov["status"], ["accepted", "edited"]),
        grid=lang_category_table(rows),
    )


def print_summary(rows: list[dict]) -> None:
    cov = coverage(rows)
    print(f"total cases: {len(rows)}")
    for field in ("category", "language", "channel", "reporter_type", "risk", "outcome", "status", "queue"):
        print(f"\n{field}:")
        for k, v in sorted(cov[field].items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"  {k:<36}{v:>5}")
    print("\nmain non-English languages (cases / distinct categories):")
    for lang in MAIN_LANGS:
        cats = {r["category"] for r in rows if r["language"] == lang}
        print(f"  {lang}: {cov['language'][lang]:>3} / {len(cats)}")
    en = cov["language"]["en"]
    print(f"\nEnglish share: {en / len(rows):.1%}")


def main(argv: list[str]) -> int:
    rows = finalize(CASES)
    errors = validate(rows)
    problems = coverage_problems(rows)
    print_summary(rows)
    for e in errors:
        print("ERROR:", e)
    for p in problems:
        print("COVERAGE:", p)
    if errors or problems:
        return 1
    if "--check" not in argv:
        with open(HERE / "cases.jsonl", "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        (HERE / "README.md").write_text(render_readme(rows), encoding="utf-8")
        print(f"\nwrote {HERE / 'cases.jsonl'} and {HERE / 'README.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
