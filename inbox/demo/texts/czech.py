"""Czech (Czech Republic)."""

from inbox.demo.texts.pack import LanguagePack

PACK = LanguagePack(
    code="cs",
    # Neuter nouns in -í: the same form in nominative and accusative, so the
    # templates use them only there ("moje {product}", "škodu na {product}").
    products={
        "home": "pojištění nemovitosti",
        "motor": "havarijní pojištění",
        "travel": "cestovní pojištění",
        "health": "zdravotní připojištění",
        "contents": "pojištění domácnosti",
    },
    losses={
        "home": [
            "V koupelně praskla trubka pod podlahou a voda protekla do stropu kuchyně.",
            "Při nedělní bouřce vítr strhl ze střechy několik tašek a do podkroví teď zatéká.",
            "Když jsme nebyli doma, praskla hadice u pračky a podlaha v chodbě je celá mokrá.",
        ],
        "motor": [
            "Na parkovišti u supermarketu do mého auta někdo zacouval a odjel; zadní "
            "nárazník a páté dveře jsou promáčklé.",
            "Na dálnici mi kamínek poškodil čelní sklo a prasklina se pořád zvětšuje.",
            "Na červené do mě zezadu narazil jiný řidič, který nehodu přiznal.",
        ],
        "travel": [
            "Můj kufr nedorazil s letem do Barcelony a letecká společnost ho dosud nenašla.",
            "Museli jsme zrušit dovolenou v Chorvatsku, protože jsem dva dny před odjezdem "
            "[[skončil|skončila]] v nemocnici.",
            "Syn si při lyžování v Rakousku zlomil zápěstí a ošetření na klinice jsme museli "
            "zaplatit na místě.",
        ],
        "health": [
            "[[Podstoupil|Podstoupila]] jsem operaci kolena na soukromé klinice a teď mi "
            "přišla faktura.",
            "Dcera po pádu potřebovala vyšetření magnetickou rezonancí a tři rehabilitace.",
        ],
        "contents": [
            "Když jsme byli na dovolené, někdo se vloupal do bytu a ukradl notebook, "
            "fotoaparát a šperky.",
            "Ze zamčené kůlny za domem mi někdo ukradl kolo.",
            "V kuchyni chytla pánev a kouř poškodil záclony, gauč i kuchyňskou linku.",
        ],
    },
    email={
        "claim_new": [
            ("Hlášení škody - smlouva {policy}",
             "Dobrý den,\n\n[[chtěl|chtěla]] bych nahlásit škodu na {product}, číslo "
             "pojistné smlouvy {policy}.\n\n{loss} Stalo se to {loss_date}.\n\nProsím o "
             "sdělení, jaké doklady potřebujete a zda přijede likvidátor. Jsem k zastižení na "
             "čísle {phone}.\n\nS pozdravem\n{name}"),
            ("Nová pojistná událost {policy}",
             "Dobrý den,\n\n{loss} Bylo to {loss_date}. Číslo mé pojistné smlouvy je "
             "{policy}.\n\nMůžete prosím založit pojistnou událost a napsat mi, jak postupovat "
             "dál? Fotky mám.\n\nDěkuji\n{name}"),
        ],
        "claim_new_reply": [
            ("",
             "Dobrý den,\n\nděkuji za potvrzení. Jak jste žádali, posílám rozpis nákladů k "
             "pojistné události {claim}: celková částka činí {amount}.\n\nDejte mi prosím "
             "vědět, pokud ještě něco chybí.\n\nS pozdravem\n{name}"),
            ("",
             "Dobrý den,\n\nještě doplňuji svůj předchozí e-mail: už mám cenovou nabídku na "
             "opravu, která činí {amount}. Číslo události, které jste mi sdělili po telefonu, "
             "je {claim}.\n\nDěkuji\n{first}"),
        ],
        "claim_docs": [
            ("Doklady k pojistné události {claim}",
             "Dobrý den,\n\nv příloze posílám fakturu a fotografie k pojistné události "
             "{claim}. Celková částka je {amount}.\n\nPotvrďte mi prosím, že máte vše "
             "potřebné.\n\nS pozdravem\n{name}"),
            ("Dotaz k události {claim}",
             "Dobrý den,\n\nbyl už k mé pojistné události {claim} přidělen likvidátor? "
             "[[Rád|Ráda]] bych co nejdříve [[objednal|objednala]] opravu.\n\nDěkuji\n{name}"),
        ],
        "renewal": [
            ("Obnovení pojistné smlouvy {policy}",
             "Dobrý den,\n\nmoje {product} ({policy}) končí {renewal_date}. [[Rád|Ráda]] bych "
             "smlouvu [[obnovil|obnovila]] za stejných podmínek. Můžete mi prosím poslat "
             "nabídku na obnovu?\n\nS pozdravem\n{name}"),
            ("Konec platnosti smlouvy {policy}",
             "Dobrý den,\n\n[[dostal|dostala]] jsem upozornění, že {renewal_date} končí "
             "platnost mé smlouvy {policy}. Před prodloužením smlouvy bych [[rád|ráda]] "
             "[[věděl|věděla]], zda se letos mění pojistné.\n\nDěkuji\n{name}"),
        ],
        "renewal_reply": [
            ("",
             "Dobrý den,\n\nděkuji za nabídku. Obnovu smlouvy přijímám, pojistné můžete strhávat "
             "inkasem jako dosud.\n\nS pozdravem\n{name}"),
        ],
        "address_change": [
            ("Změna adresy",
             "Dobrý den,\n\n[[přestěhoval|přestěhovala]] jsem se. Prosím o změnu adresy u "
             "pojistné smlouvy {policy}. Od {move_date} je moje nová adresa:\n\n"
             "{new_address}\n\nS pozdravem\n{name}"),
            ("Nová adresa - smlouva {policy}",
             "Dobrý den,\n\noznamuji, že od {move_date} bydlím na nové adrese: "
             "{new_address}. Ostatní údaje zůstávají beze změny.\n\nDěkuji\n{name}"),
        ],
        "bank_change": [
            ("Změna bankovního účtu",
             "Dobrý den,\n\n[[změnil|změnila]] jsem banku. Pojistné ke smlouvě {policy} "
             "prosím nadále strhávejte z tohoto účtu:\n\n{account}\n\nDěkuji\n{name}"),
            ("Nové číslo účtu - {policy}",
             "Dobrý den,\n\nprosím o změnu čísla účtu pro inkaso pojistného ke smlouvě "
             "{policy}. Nové číslo účtu je {account}.\n\nS pozdravem\n{name}"),
        ],
        "complaint": [
            ("Stížnost na vyřizování pojistné události",
             "Dobrý den,\n\npodávám formální stížnost. Před několika týdny jsem "
             "[[nahlásil|nahlásila]] škodu ke smlouvě {policy} a od té doby jsem vás "
             "[[musel|musela]] třikrát urgovat. Slíbené zpětné volání nepřichází a pokaždé "
             "mluvím s někým jiným.\n\nTo je nepřijatelné. Pokud do 14 dnů nedostanu řádnou "
             "odpověď, obrátím se na finančního arbitra.\n\n{name}"),
            ("Nespokojenost se službami",
             "Dobrý den,\n\njsem s vašimi službami velmi [[nespokojen|nespokojena]]. Včera "
             "jsem [[čekal|čekala]] na lince 45 minut a pak se hovor přerušil. Číslo mé "
             "smlouvy je {policy}.\n\nBerte prosím tento e-mail jako stížnost a sdělte mi, "
             "jak situaci napravíte.\n\n{name}"),
        ],
        "complaint_claim": [
            ("Stížnost - pojistná událost {claim}",
             "Dobrý den,\n\nstěžuji si na vaše rozhodnutí o pojistné události {claim}. V "
             "dopise uvádíte, že škoda je z pojištění vyloučena, ale nikdo mi nevysvětlil, o "
             "který článek podmínek se opíráte. Považuji to za nepřijatelné a žádám o "
             "přezkoumání.\n\n{name}"),
        ],
        "payment_delay": [
            ("Zpoždění výplaty plnění",
             "Dobrý den,\n\npojistná událost ke smlouvě {policy} byla schválena "
             "{approved_date} a bylo mi řečeno, že peníze dorazí na účet do pěti pracovních "
             "dnů. Dosud jsem [[neobdržel|neobdržela]] žádné plnění, jde o {amount}.\n\n"
             "Můžete prosím prověřit, co se stalo?\n\nDěkuji\n{name}"),
            ("Kde jsou moje peníze?",
             "Dobrý den,\n\nplnění ve výši {amount}, které jste mi potvrdili ke smlouvě "
             "{policy}, mi dosud nebylo vyplaceno. Platba stále nedorazila.\n\n"
             "S pozdravem\n{name}"),
        ],
        "question": [
            ("Kopie pojistné smlouvy",
             "Dobrý den,\n\nmohli byste mi prosím poslat kopii pojistné smlouvy {policy}? "
             "Nemohu ji najít a banka po mně chce potvrzení o pojištění.\n\nDěkuji\n{name}"),
            ("Dotaz na rozsah pojištění",
             "Dobrý den,\n\n[[rád|ráda]] bych [[věděl|věděla]], co přesně kryje moje "
             "{product}. Jsou pojištěny i škody způsobené nedbalostí a jaká je moje "
             "spoluúčast? Číslo smlouvy: {policy}.\n\nDěkuji\n{first}"),
        ],
        "spouse": [
            ("Pojistná událost {claim}",
             "Dobrý den,\n\n<<můj manžel|moje manželka>> {cust_name} je momentálně v "
             "nemocnici, a tak vám píšu místo <<něj|ní>>. Můžete mi sdělit, v jakém stavu je "
             "pojistná událost {claim}? [[Rád|Ráda]] zodpovím vaše dotazy.\n\n"
             "S pozdravem\n{name}"),
            ("Doklady k události {claim}",
             "Dobrý den,\n\n<<manžel|manželka>> {cust_first} mě <<požádal|požádala>>, abych "
             "vám [[poslal|poslala]] doklady k pojistné události {claim}. Posílám je v "
             "příloze. Odpovězte prosím nám oběma.\n\nDěkuji\n{name}"),
        ],
        "stranger": [
            ("Nabídka - {product}",
             "Dobrý den,\n\n[[měl|měla]] bych zájem o {product} pro naši čtyřčlennou rodinu. "
             "Kolik by to stálo a co všechno zahrnuje? Zavolejte mi prosím na {phone}.\n\n"
             "Děkuji\n{name}"),
            ("Dotaz",
             "Dobrý den,\n\npojišťujete i rekreační nemovitosti v zahraničí? Váš kontakt jsem "
             "[[našel|našla]] na vašem webu.\n\nS pozdravem\n{name}"),
        ],
    },
    short={
        "claim_status_sms": [
            "Dobrý den, tady {name}. Je něco nového k pojistné události {claim}? Fotky jsem "
            "[[poslal|poslala]] minulý týden. Děkuji",
            "Dobrý den, v jakém stavu je událost {claim}? Řemeslník čeká na vaše schválení. "
            "{first}",
        ],
        "claim_status_call": [
            "Volající: Dobrý den, volám kvůli pojistné události {claim}. Před deseti dny jsem "
            "[[poslal|poslala]] rozpočet opravy a od té doby nic.\nOperátorka: Podívám se. "
            "Likvidátor případ posuzuje a tento týden se vám ozve.\nVolající: Dobře, ať mi "
            "prosím zavolá na toto číslo.",
            "Volající: Dobrý den, tady {name}. Potřebujete ještě něco k události {claim}?\n"
            "Operátor: Ještě nám chybí policejní protokol.\nVolající: Dobře, pošlu ho dnes "
            "e-mailem.",
        ],
        "claim_status_sms_2": [
            "Dobrý den, k události {claim} stále nemám žádnou odpověď. Zavolejte mi prosím "
            "zpět na toto číslo. {first}",
        ],
        "payment_delay_sms": [
            "Dobrý den, pojistná událost {claim} byla schválena před dvěma týdny, ale peníze "
            "jsem stále [[nedostal|nedostala]]. Platba nedorazila. {name}",
        ],
        "voicemail": [
            "Dobrý den, tady {name}, číslo smlouvy {policy}. Mohl by mi prosím někdo zavolat "
            "zpět? Mám dotaz k pojištění. Děkuji, na shledanou.",
            "Dobrý den, tady {first} {last}. [[Snažil|Snažila]] jsem se vám dovolat kvůli "
            "smlouvě {policy}. Zavolejte mi prosím odpoledne zpět. Děkuji.",
        ],
        "missed_call_sms": [
            "Dobrý den, před chvílí jsem se vám [[snažil|snažila]] dovolat. Zavolejte mi "
            "prosím zpět, až budete mít čas. {name}",
        ],
        "question_call": [
            "Volající: Dobrý den, mám dotaz ke smlouvě {policy}. Nemůžu najít smluvní "
            "dokumenty, mohli byste mi je poslat znovu?\nOperátorka: Samozřejmě, pošlu vám je "
            "dnes e-mailem.\nVolající: Děkuji, to by bylo skvělé.",
            "Volající: Dobrý den, [[chtěl|chtěla]] bych vědět, jaká je spoluúčast u mého "
            "pojištění.\nOperátor: Je to {deductible}, potvrdím vám to písemně.\n"
            "Volající: Výborně, děkuji.",
        ],
        "complaint_call": [
            "Volající: Minulý týden jsem vám [[poslal|poslala]] stížnost a nikdo mi "
            "neodpověděl.\nOperátorka: Omlouvám se, ještě dnes ji předám vedoucí.\n"
            "Volající: Čekám zpětné volání do pátku.",
        ],
        "stranger_sms": [
            "Dobrý den, pojišťujete i začínající řidiče? Syn si právě udělal řidičák. "
            "Děkuji, {first}",
        ],
    },
    letter={
        "renewal": [
            ("Obnova pojistné smlouvy {policy}",
             "moje {product} se smlouvou č. {policy} končí {renewal_date}. Protože nepoužívám "
             "e-mail, pošlete mi prosím dokumenty k obnově poštou. Zároveň bych [[rád|ráda]] "
             "[[věděl|věděla]], zda mohu pojistné platit měsíčně."),
        ],
        "address_change": [
            ("Změna adresy - smlouva {policy}",
             "oznamuji vám, že jsem se [[přestěhoval|přestěhovala]]. Novou adresu naleznete "
             "v záhlaví dopisu. Prosím o její zapsání ke smlouvě {policy} a o zasílání "
             "veškeré korespondence na tuto adresu."),
        ],
        "complaint": [
            ("Stížnost - smlouva {policy}",
             "tímto si stěžuji na způsob, jakým byl vyřízen můj požadavek ke smlouvě "
             "{policy}. Dvakrát jsem [[psal|psala]] a čtyřikrát [[volal|volala]], a dosud "
             "nemám žádnou odpověď. Jsem velmi [[nespokojen|nespokojena]] a žádám o písemné "
             "vyjádření vedoucího oddělení."),
        ],
    },
    letter_frame=(
        "{name}\n{address}\n\n{city}, {date}\n\nZákaznický servis\n\nVěc: {re}\n\n"
        "Vážení,\n\n{body}\n\nS pozdravem\n\n{name}"
    ),
    auto_reply=[
        ("Automatická odpověď:",
         "Děkuji za zprávu. Do {return_date} jsem mimo kancelář a mám jen omezený přístup "
         "k e-mailu. Po návratu se vám ozvu.\n\n{name}"),
        ("Automatická odpověď:",
         "Jsem na dovolené do {return_date}. V naléhavých případech mi volejte na {phone}."),
    ],
    reply_prefixes=["Odp:", "Re:", "RE:"],
    date_format="{d}. {m}. {y}",
    months=[],
    money=("", " Kč", " ", ",", 0),
)
