"""English (United Kingdom)."""

from inbox.demo.texts.pack import LanguagePack

PACK = LanguagePack(
    code="en",
    products={
        "home": "home insurance",
        "motor": "car insurance",
        "travel": "travel insurance",
        "health": "health insurance",
        "contents": "contents insurance",
    },
    losses={
        "home": [
            "A pipe burst under the bathroom floor and the water has come through the "
            "kitchen ceiling.",
            "During the storm on Sunday night several roof tiles were blown off, and rain "
            "is now getting into the loft.",
            "The washing machine hose split while we were out and the hallway floor is soaked.",
        ],
        "motor": [
            "Someone reversed into my car in the supermarket car park and drove off; the "
            "rear bumper and the tailgate are dented.",
            "A stone hit the windscreen on the motorway and the crack keeps getting longer.",
            "I was hit from behind at a red light. The other driver admitted it was his fault.",
        ],
        "travel": [
            "My suitcase did not arrive on the flight to Malaga and the airline has still "
            "not found it.",
            "We had to cancel our trip to Crete because I was admitted to hospital two days "
            "before we were due to leave.",
            "My son broke his wrist skiing in Austria and we had to pay the clinic on the spot.",
        ],
        "health": [
            "I had knee surgery at a private hospital and the invoice has now arrived.",
            "My daughter needed an MRI scan and three physiotherapy sessions after a fall.",
        ],
        "contents": [
            "Our flat was burgled while we were away, and a laptop, a camera and some "
            "jewellery were taken.",
            "My bicycle was stolen from the locked shed behind the house.",
            "A pan caught fire in the kitchen and the smoke damaged the curtains, the sofa "
            "and the kitchen cupboards.",
        ],
    },
    email={
        "claim_new": [
            ("Damage to report - policy {policy}",
             "Hello,\n\nI would like to report a claim under my {product}, policy number "
             "{policy}.\n\n{loss} It happened on {loss_date}.\n\nPlease let me know which "
             "documents you need from me and whether someone will come to assess the damage. "
             "I can be reached on {phone}.\n\nKind regards,\n{name}"),
            ("New claim: {policy}",
             "Dear Sir or Madam,\n\nI am writing to make a claim on policy {policy}. {loss}\n\n"
             "The incident took place on {loss_date}. I have taken photos and kept the "
             "receipts. What are the next steps?\n\nBest wishes,\n{name}"),
            ("Claim notification",
             "Hi,\n\n{loss} This was on {loss_date}. My policy number is {policy}.\n\n"
             "Could you open a claim for me and tell me what happens next?\n\nThanks,\n{first}"),
        ],
        "claim_new_reply": [
            ("",
             "Hello,\n\nThank you for confirming that my claim has been registered under "
             "{claim}. As requested, here is a summary of the costs: the total comes to "
             "{amount}.\n\nPlease let me know if anything else is missing.\n\n"
             "Kind regards,\n{name}"),
            ("",
             "Hi again,\n\nJust to add to my earlier message: I now have the quote for the "
             "repairs, which comes to {amount}. The claim reference you gave me on the phone "
             "is {claim}.\n\nThanks,\n{first}"),
        ],
        "claim_docs": [
            ("Documents for claim {claim}",
             "Hello,\n\nPlease find attached the invoice and the photos for claim {claim}. "
             "The total amount is {amount}.\n\nCould you confirm that you have everything "
             "you need?\n\nKind regards,\n{name}"),
            ("{claim} - additional information",
             "Dear claims team,\n\nYou asked for more details about claim {claim}. {loss} "
             "I have attached the receipts I could find.\n\nBest regards,\n{name}"),
            ("Question about claim {claim}",
             "Hello,\n\nHas an assessor been assigned to my claim {claim} yet? I would like "
             "to arrange the repairs as soon as possible.\n\nMany thanks,\n{name}"),
        ],
        "renewal": [
            ("Renewal of policy {policy}",
             "Hello,\n\nMy {product} ({policy}) is due for renewal on {renewal_date}. Could "
             "you send me the renewal quote? I would also like to know whether the premium "
             "is going up this year.\n\nKind regards,\n{name}"),
            ("Policy {policy} expires soon",
             "Dear Sir or Madam,\n\nI noticed that my policy {policy} ends on {renewal_date}. "
             "I would like to renew it on the same terms. Please let me know if you need "
             "anything from me.\n\nBest wishes,\n{name}"),
            ("My {product}",
             "Hi,\n\nI received your letter saying that my {product} will renew automatically "
             "on {renewal_date}. Before it does, could you tell me what the new premium will "
             "be? My policy number is {policy}.\n\nThanks,\n{first}"),
        ],
        "renewal_reply": [
            ("",
             "Hello,\n\nThank you for the quote. I am happy to go ahead with the renewal. "
             "Please collect the premium by direct debit as before.\n\nKind regards,\n{name}"),
        ],
        "address_change": [
            ("Change of address",
             "Hello,\n\nWe have moved. Please change the address on my policy {policy} to:\n\n"
             "{new_address}\n\nThe new address applies from {move_date}.\n\n"
             "Kind regards,\n{name}"),
            ("New address - policy {policy}",
             "Dear Sir or Madam,\n\nPlease update my address. From {move_date} I will be "
             "living at {new_address}. Everything else stays the same.\n\n"
             "Best regards,\n{name}"),
        ],
        "bank_change": [
            ("New bank details",
             "Hello,\n\nI have switched banks. Please update my bank details for policy "
             "{policy}; the premiums should be collected from this account from now on:\n\n"
             "{account}\n\nThank you,\n{name}"),
            ("Change of bank account",
             "Dear Sir or Madam,\n\nPlease change the bank account for the direct debit on "
             "policy {policy} to {account}. My old account will be closed at the end of the "
             "month.\n\nKind regards,\n{name}"),
        ],
        "complaint": [
            ("Complaint about the handling of my claim",
             "Dear Sir or Madam,\n\nI wish to make a formal complaint. I reported damage "
             "under policy {policy} weeks ago and since then I have had to chase you three "
             "times. Nobody calls back when promised, and every time I speak to a different "
             "person.\n\nThis is unacceptable. If I do not receive a proper answer within "
             "14 days, I will take the matter to the Financial Ombudsman.\n\n{name}"),
            ("Very poor service",
             "Hello,\n\nI am extremely dissatisfied with the way I have been treated. "
             "Yesterday I was on hold for 45 minutes and then the call was cut off. My "
             "policy number is {policy}.\n\nPlease treat this email as a complaint and tell "
             "me how you intend to put this right.\n\n{name}"),
        ],
        "complaint_claim": [
            ("Complaint - claim {claim}",
             "Dear Sir or Madam,\n\nI want to complain about your decision on claim {claim}. "
             "Your letter says the damage is excluded, but nobody has explained which part "
             "of the policy this is based on. I find this unacceptable and ask you to review "
             "the decision.\n\n{name}"),
        ],
        "payment_delay": [
            ("Still waiting for my payment",
             "Hello,\n\nMy claim under policy {policy} was approved on {approved_date}, and "
             "I was told the money would be in my account within five working days. I am "
             "still waiting for the payment of {amount}.\n\nCould you check what has "
             "happened?\n\nThanks,\n{name}"),
            ("Payment not received",
             "Dear Sir or Madam,\n\nThe settlement of {amount} that you confirmed for my "
             "{product} claim has not been paid yet. My policy number is {policy}. Where is "
             "my payment?\n\nKind regards,\n{name}"),
        ],
        "question": [
            ("Copy of my policy documents",
             "Hello,\n\nCould you please send me a copy of my policy documents for {policy}? "
             "I cannot find the schedule and my bank has asked for proof of insurance.\n\n"
             "Thank you,\n{name}"),
            ("Question about cover",
             "Hi,\n\nI would like to check what my {product} covers. Is accidental damage "
             "included, and how much is my excess? My policy number is {policy}.\n\n"
             "Many thanks,\n{first}"),
        ],
        "spouse": [
            ("Claim {claim}",
             "Hello,\n\nI am writing on behalf of <<my husband|my wife>>, {cust_name}, who is "
             "in hospital at the moment. Could you tell me how claim {claim} is progressing? "
             "I am happy to answer any questions you have.\n\nKind regards,\n{name}"),
            ("Receipts for claim {claim}",
             "Hi,\n\n<<My husband|My wife>> {cust_first} asked me to send you the receipts "
             "for claim {claim}. They are attached. Please reply to both of us.\n\n"
             "Thanks,\n{name}"),
        ],
        "stranger": [
            ("Quote for {product}",
             "Hello,\n\nI am looking for {product} for my family of four. What would it "
             "cost, and what does it include? Could someone call me on {phone}?\n\n"
             "Thanks,\n{name}"),
            ("Question",
             "Hi,\n\nI found your address on your website. Do you also insure holiday homes "
             "abroad?\n\nBest regards,\n{name}"),
        ],
    },
    short={
        "claim_status_sms": [
            "Hi, this is {name}. Any news on my claim {claim}? I sent the photos last week. "
            "Thanks",
            "Hello, could you tell me the status of claim {claim}, please? The tradesman is "
            "waiting for your approval. {first}",
        ],
        "claim_status_call": [
            "Caller: Hello, I'm calling about my claim {claim}. I sent the repair estimate ten "
            "days ago and haven't heard anything since.\nAgent: Let me check. The assessor is "
            "reviewing it and should contact you this week.\nCaller: Okay, please ask him to "
            "call me back on this number.",
            "Caller: Good morning, it's {name}. Do you need anything else from me for claim "
            "{claim}?\nAgent: We are still waiting for the police report.\nCaller: Right, I'll "
            "send it by email today.",
        ],
        "claim_status_sms_2": [
            "Hello again, still no reply about claim {claim}. Please call me back on this "
            "number. {first}",
        ],
        "payment_delay_sms": [
            "Hi, my claim {claim} was approved two weeks ago but the money hasn't arrived. "
            "Where is my payment? {name}",
        ],
        "voicemail": [
            "Hello, this is {name}, policy number {policy}. Could somebody call me back, "
            "please? I have a question about my {product}. Thank you, bye.",
            "Hi, it's {first} {last}. I tried to reach you about my policy {policy}. Please "
            "ring me back this afternoon if you can. Thanks.",
        ],
        "missed_call_sms": [
            "Hello, I tried to call you just now. Please call me back when you can. {name}",
        ],
        "question_call": [
            "Caller: Hello, I have a question about policy {policy}. I can't find my policy "
            "documents. Could you send them again?\nAgent: Of course, I'll email them to you "
            "today.\nCaller: Thanks, that would be great.",
            "Caller: Good afternoon, how much is the excess on my {product}?\nAgent: It's "
            "{deductible}; I'll confirm it in writing.\nCaller: Lovely, thanks for your help.",
        ],
        "complaint_call": [
            "Caller: I sent you a complaint last week and nobody has answered.\nAgent: I'm "
            "sorry, I will pass it to a supervisor today.\nCaller: I expect a call back by "
            "Friday.",
        ],
        "stranger_sms": [
            "Hello, do you also insure new drivers? My son has just passed his test. "
            "Thanks, {first}",
        ],
    },
    letter={
        "renewal": [
            ("Renewal of policy {policy}",
             "My {product}, policy number {policy}, is due for renewal on {renewal_date}. "
             "I do not use email, so please send the renewal documents to me by post. I "
             "would also like to know whether I can pay the premium in monthly instalments."),
        ],
        "address_change": [
            ("Change of address - policy {policy}",
             "I am writing to let you know that I have moved. My new address is shown above. "
             "Please change the address on policy {policy} and send all future letters "
             "there."),
        ],
        "complaint": [
            ("Complaint - policy {policy}",
             "I am writing to complain about the way my enquiry about policy {policy} has "
             "been handled. I have written twice and telephoned four times, and I still have "
             "no answer. I am very dissatisfied and would like a written reply from a "
             "manager."),
        ],
    },
    letter_frame=(
        "{name}\n{address}\n\n{date}\n\nCustomer Service\n\nRe: {re}\n\n"
        "Dear Sir or Madam,\n\n{body}\n\nYours faithfully,\n\n{name}"
    ),
    auto_reply=[
        ("Automatic reply:",
         "Thank you for your message. I am out of the office until {return_date} with "
         "limited access to email. I will reply as soon as possible after my return.\n\n"
         "{name}"),
        ("Out of Office:",
         "I am currently away and will be back on {return_date}. For anything urgent, "
         "please call me on {phone}."),
    ],
    reply_prefixes=["Re:", "RE:"],
    date_format="{d} {month} {y}",
    months=["January", "February", "March", "April", "May", "June", "July", "August",
            "September", "October", "November", "December"],
    money=("£", "", ",", ".", 2),
)
