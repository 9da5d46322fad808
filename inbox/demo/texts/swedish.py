"""Swedish (Sweden)."""

from inbox.demo.texts.pack import LanguagePack

PACK = LanguagePack(
    code="sv",
    # All en-words: "min {product}", "en {product}".
    products={
        "home": "villaförsäkring",
        "motor": "bilförsäkring",
        "travel": "reseförsäkring",
        "health": "sjukvårdsförsäkring",
        "contents": "hemförsäkring",
    },
    losses={
        "home": [
            "Ett rör har spruckit under badrumsgolvet och vattnet har runnit ner genom "
            "kökstaket.",
            "Under stormen natten till söndag blåste flera takpannor av, och nu regnar det in "
            "på vinden.",
            "Slangen till tvättmaskinen sprack medan vi var borta, och hallgolvet är "
            "genomblött.",
        ],
        "motor": [
            "Någon backade in i min bil på parkeringen vid mataffären och körde därifrån. "
            "Den bakre stötfångaren och bakluckan är intryckta.",
            "En sten träffade vindrutan på motorvägen och sprickan blir bara större.",
            "En annan bil körde in i mig bakifrån vid ett rödljus. Föraren har erkänt att det "
            "var hans fel.",
        ],
        "travel": [
            "Min resväska kom aldrig fram med flyget till Alicante, och flygbolaget har "
            "fortfarande inte hittat den.",
            "Vi fick ställa in resan till Kreta eftersom jag blev inlagd på sjukhus två dagar "
            "före avresan.",
            "Min son bröt handleden när han åkte skidor i Österrike, och vi fick betala "
            "kliniken på plats.",
        ],
        "health": [
            "Jag har opererat knät på en privatklinik och nu har fakturan kommit.",
            "Min dotter behövde göra en magnetröntgen och gå på tre fysioterapibesök efter "
            "ett fall.",
        ],
        "contents": [
            "Det var inbrott i lägenheten medan vi var bortresta, och tjuvarna tog en dator, "
            "en kamera och smycken.",
            "Min cykel blev stulen ur det låsta förrådet bakom huset.",
            "En stekpanna fattade eld i köket, och röken skadade gardinerna, soffan och "
            "köksskåpen.",
        ],
    },
    email={
        "claim_new": [
            ("Skadeanmälan - försäkring {policy}",
             "Hej,\n\nJag vill anmäla en skada på min {product} med försäkringsnummer "
             "{policy}.\n\n{loss} Det hände den {loss_date}.\n\nMeddela gärna vilka underlag "
             "ni behöver och om någon kommer ut och besiktigar skadan. Jag nås på {phone}."
             "\n\nMed vänliga hälsningar\n{name}"),
            ("Ny skada {policy}",
             "Hej!\n\n{loss} Det var den {loss_date}. Mitt försäkringsnummer är {policy}.\n\n"
             "Kan ni öppna ett skadeärende och berätta hur jag går vidare? Jag har tagit "
             "bilder.\n\nTack på förhand\n{name}"),
        ],
        "claim_new_reply": [
            ("",
             "Hej,\n\nTack för bekräftelsen. Som ni bad om skickar jag en sammanställning av "
             "kostnaderna för skadeärende {claim}: totalt blir det {amount}.\n\nHör av er om "
             "något mer saknas.\n\nMed vänliga hälsningar\n{name}"),
            ("",
             "Hej igen,\n\nEtt tillägg till mitt förra mejl: jag har nu fått offerten för "
             "reparationen, som landar på {amount}. Skadenumret jag fick i telefon är "
             "{claim}.\n\nTack\n{first}"),
        ],
        "claim_docs": [
            ("Underlag till skadeärende {claim}",
             "Hej,\n\nBifogat finns fakturan och bilderna till skadeärende {claim}. Det totala "
             "beloppet är {amount}.\n\nKan ni bekräfta att ni har allt ni behöver?\n\n"
             "Med vänliga hälsningar\n{name}"),
            ("Fråga om skadeärende {claim}",
             "Hej,\n\nHar ni hunnit utse en besiktningsman för mitt skadeärende {claim}? Jag "
             "vill gärna beställa reparationen så snart som möjligt.\n\nTack på förhand\n"
             "{name}"),
        ],
        "renewal": [
            ("Förnyelse av försäkring {policy}",
             "Hej,\n\nMin {product} ({policy}) ska förnyas den {renewal_date}. Kan ni skicka "
             "ett erbjudande? Jag vill också veta om premien höjs i år.\n\n"
             "Med vänliga hälsningar\n{name}"),
            ("Försäkringen går ut snart",
             "Hej!\n\nJag såg att min försäkring {policy} gäller till och med den "
             "{renewal_date}. Jag vill gärna förlänga den på samma villkor. Hör av er om ni "
             "behöver något från mig.\n\nVänliga hälsningar\n{name}"),
        ],
        "renewal_reply": [
            ("",
             "Hej,\n\nTack för erbjudandet. Jag vill gärna förnya försäkringen, och premien "
             "kan dras via autogiro som tidigare.\n\nMed vänliga hälsningar\n{name}"),
        ],
        "address_change": [
            ("Adressändring",
             "Hej,\n\nVi har flyttat. Ändra gärna adressen på min försäkring {policy} från och "
             "med den {move_date} till:\n\n{new_address}\n\nMed vänliga hälsningar\n{name}"),
            ("Ny adress - {policy}",
             "Hej!\n\nFrån den {move_date} bor jag på {new_address}. Uppdatera gärna era "
             "uppgifter, i övrigt är allt som förut.\n\nTack\n{name}"),
        ],
        "bank_change": [
            ("Nytt kontonummer",
             "Hej,\n\nJag har bytt bank. Dra gärna premien för försäkring {policy} från det "
             "här kontot i fortsättningen:\n\n{account}\n\nTack\n{name}"),
            ("Ändrade bankuppgifter - {policy}",
             "Hej,\n\nMina bankuppgifter har ändrats. Det nya kontot är {account}. Kan ni se "
             "till att nästa premie dras därifrån?\n\nMed vänliga hälsningar\n{name}"),
        ],
        "complaint": [
            ("Klagomål på handläggningen av min skada",
             "Hej,\n\nJag vill lämna ett formellt klagomål. Jag anmälde en skada på "
             "försäkring {policy} för flera veckor sedan och har sedan dess fått jaga er tre "
             "gånger. Ingen ringer tillbaka som utlovat, och varje gång pratar jag med en ny "
             "person.\n\nDet är oacceptabelt. Om jag inte får ett ordentligt svar inom 14 "
             "dagar vänder jag mig till Allmänna reklamationsnämnden.\n\n{name}"),
            ("Mycket missnöjd",
             "Hej,\n\nJag är mycket missnöjd med ert bemötande. I går satt jag i telefonkö i "
             "45 minuter, och sedan bröts samtalet. Mitt försäkringsnummer är {policy}.\n\n"
             "Behandla det här mejlet som ett klagomål och berätta hur ni tänker rätta till "
             "det.\n\n{name}"),
        ],
        "complaint_claim": [
            ("Klagomål - skadeärende {claim}",
             "Hej,\n\nJag vill klaga på ert beslut i skadeärende {claim}. I ert brev står det "
             "att skadan inte omfattas, men ingen har förklarat vilket villkor ni stöder er "
             "på. Jag tycker att det är oacceptabelt och begär en omprövning.\n\n{name}"),
        ],
        "payment_delay": [
            ("Försenad utbetalning",
             "Hej,\n\nMin skada på försäkring {policy} godkändes den {approved_date}, och jag "
             "fick höra att pengarna skulle komma inom fem arbetsdagar. Jag väntar "
             "fortfarande på min ersättning på {amount}.\n\nKan ni kolla vad som har hänt?"
             "\n\nTack\n{name}"),
            ("Ersättningen har inte kommit",
             "Hej,\n\nDen ersättning på {amount} som ni lovade för min {product} ({policy}) "
             "har jag fortfarande inte fått. Inga pengar har kommit in på kontot.\n\n"
             "Med vänliga hälsningar\n{name}"),
        ],
        "question": [
            ("Kopia på försäkringsbrevet",
             "Hej,\n\nKan ni skicka en kopia på försäkringsbrevet för {policy}? Jag hittar det "
             "inte, och banken vill se ett försäkringsbevis.\n\nTack\n{name}"),
            ("Fråga om vad som ingår",
             "Hej!\n\nJag undrar vad min {product} egentligen täcker. Ingår allriskskydd, och "
             "hur hög är min självrisk? Försäkringsnummer: {policy}.\n\nTack på förhand\n"
             "{first}"),
        ],
        "spouse": [
            ("Skadeärende {claim}",
             "Hej,\n\n<<Min man|Min fru>> {cust_name} ligger på sjukhus just nu, så jag skriver "
             "för <<hans|hennes>> räkning. Kan ni berätta hur det går med skadeärende {claim}? "
             "Jag svarar gärna på era frågor.\n\nMed vänliga hälsningar\n{name}"),
            ("Kvitton till skadeärende {claim}",
             "Hej,\n\n<<Min man|Min fru>> {cust_first} bad mig skicka kvittona till "
             "skadeärende {claim}. De är bifogade. Svara gärna till oss båda.\n\nTack\n{name}"),
        ],
        "stranger": [
            ("Offert på {product}",
             "Hej,\n\nJag är intresserad av en {product} för vår familj på fyra personer. Vad "
             "kostar det, och vad ingår? Ring mig gärna på {phone}.\n\nTack\n{name}"),
            ("Fråga",
             "Hej!\n\nFörsäkrar ni även fritidshus utomlands? Jag hittade er adress på er "
             "webbplats.\n\nVänliga hälsningar\n{name}"),
        ],
    },
    short={
        "claim_status_sms": [
            "Hej, det är {name}. Finns det något nytt om mitt skadeärende {claim}? Jag "
            "skickade bilderna förra veckan. Tack",
            "Hej! Hur går det med skadeärende {claim}? Hantverkaren väntar på ert "
            "godkännande. /{first}",
        ],
        "claim_status_call": [
            "Kund: Hej, jag ringer angående mitt skadeärende {claim}. Jag skickade "
            "kostnadsförslaget för tio dagar sedan och har inte hört något.\nHandläggare: Jag "
            "ska kolla. Besiktningsmannen går igenom ärendet och hör av sig den här veckan.\n"
            "Kund: Okej, be honom ringa mig på det här numret.",
            "Kund: God morgon, det är {name}. Behöver ni något mer till skadeärende {claim}?\n"
            "Handläggare: Vi väntar fortfarande på polisanmälan.\nKund: Då skickar jag den "
            "med mejl i dag.",
        ],
        "claim_status_sms_2": [
            "Hej igen, jag har fortfarande inget svar om skadeärende {claim}. Ring mig gärna "
            "på det här numret. /{first}",
        ],
        "payment_delay_sms": [
            "Hej, skadeärende {claim} godkändes för två veckor sedan men jag har inte fått "
            "någon ersättning. Var är pengarna? {name}",
        ],
        "voicemail": [
            "Hej, det här är {name}, försäkringsnummer {policy}. Kan någon ringa tillbaka "
            "till mig? Jag har en fråga om min {product}. Tack, hej då.",
            "Hej, det är {first} {last}. Jag har försökt nå er angående försäkring {policy}. "
            "Ring gärna tillbaka i eftermiddag. Tack.",
        ],
        "missed_call_sms": [
            "Hej, jag försökte ringa er alldeles nyss. Ring gärna tillbaka när ni har tid. "
            "{name}",
        ],
        "question_call": [
            "Kund: Hej, jag har en fråga om försäkring {policy}. Jag hittar inte mina "
            "försäkringshandlingar. Kan ni skicka dem igen?\nHandläggare: Absolut, jag mejlar "
            "dem till dig i dag.\nKund: Tack, vad bra.",
            "Kund: Hej, hur hög är självrisken på min {product}?\nHandläggare: Den är "
            "{deductible}, jag bekräftar det skriftligt.\nKund: Toppen, tack för hjälpen.",
        ],
        "complaint_call": [
            "Kund: Jag skickade ett klagomål förra veckan och ingen har svarat.\n"
            "Handläggare: Jag beklagar, jag lämnar det till min chef i dag.\nKund: Jag "
            "förväntar mig att bli uppringd senast på fredag.",
        ],
        "stranger_sms": [
            "Hej, försäkrar ni även nyblivna bilförare? Min son har precis tagit körkort. "
            "Tack, {first}",
        ],
    },
    letter={
        "renewal": [
            ("Förnyelse av försäkring {policy}",
             "Min {product} med nummer {policy} ska förnyas den {renewal_date}. Eftersom jag "
             "inte använder e-post ber jag er skicka handlingarna med vanlig post. Jag undrar "
             "också om det går att betala premien månadsvis."),
        ],
        "address_change": [
            ("Adressändring - försäkring {policy}",
             "Jag vill meddela att jag har flyttat. Min nya adress står överst i brevet. "
             "Ändra gärna adressen på försäkring {policy} och skicka all post dit i "
             "fortsättningen."),
        ],
        "complaint": [
            ("Klagomål - försäkring {policy}",
             "Jag vill klaga på hur mitt ärende om försäkring {policy} har hanterats. Jag har "
             "skrivit två gånger och ringt fyra gånger utan att få något svar. Jag är mycket "
             "missnöjd och vill ha ett skriftligt svar från en ansvarig chef."),
        ],
    },
    letter_frame=(
        "{name}\n{address}\n\n{city} den {date}\n\nTill kundservice\n\nAngående: {re}\n\n"
        "Hej,\n\n{body}\n\nMed vänliga hälsningar\n\n{name}"
    ),
    auto_reply=[
        ("Automatiskt svar:",
         "Tack för ditt mejl. Jag är inte på kontoret förrän {return_date} och läser e-post "
         "bara sporadiskt. Jag svarar så snart jag är tillbaka.\n\n{name}"),
        ("Frånvaro:",
         "Jag är på semester till och med {return_date}. Vid brådskande ärenden nås jag på "
         "{phone}."),
    ],
    reply_prefixes=["SV:", "Sv:", "Re:"],
    date_format="{d} {month} {y}",
    months=["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
            "september", "oktober", "november", "december"],
    money=("", " kr", " ", ",", 0),
)
