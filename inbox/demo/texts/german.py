"""German (Germany)."""

from inbox.demo.texts.pack import LanguagePack

_CALLER = "[[Anrufer|Anruferin]]"

PACK = LanguagePack(
    code="de",
    # All feminine: "meine", "meiner", "eine" fit every product.
    products={
        "home": "Wohngebäudeversicherung",
        "motor": "Kfz-Versicherung",
        "travel": "Reiseversicherung",
        "health": "Krankenzusatzversicherung",
        "contents": "Hausratversicherung",
    },
    losses={
        "home": [
            "Unter dem Badezimmerboden ist ein Rohr geplatzt, und das Wasser ist durch die "
            "Küchendecke gelaufen.",
            "Beim Sturm in der Nacht zum Sonntag wurden mehrere Dachziegel heruntergerissen; "
            "seitdem regnet es auf den Dachboden.",
            "Der Zulaufschlauch der Waschmaschine ist geplatzt, während wir nicht zu Hause "
            "waren. Der Flurboden ist völlig durchnässt.",
        ],
        "motor": [
            "Auf dem Supermarktparkplatz ist jemand rückwärts gegen mein Auto gefahren und "
            "einfach weitergefahren; Stoßstange und Heckklappe sind eingedrückt.",
            "Auf der Autobahn hat ein Steinschlag die Windschutzscheibe getroffen, und der "
            "Riss wird immer länger.",
            "An einer roten Ampel ist mir ein anderer Wagen hinten aufgefahren. Der Fahrer "
            "hat den Unfall zugegeben.",
        ],
        "travel": [
            "Mein Koffer ist auf dem Flug nach Palma nicht angekommen, und die "
            "Fluggesellschaft hat ihn bis heute nicht gefunden.",
            "Wir mussten unsere Reise nach Kreta absagen, weil ich zwei Tage vor der Abreise "
            "ins Krankenhaus musste.",
            "Mein Sohn hat sich beim Skifahren in Österreich das Handgelenk gebrochen, und "
            "wir mussten die Klinik vor Ort bezahlen.",
        ],
        "health": [
            "Ich hatte eine Knieoperation in einer Privatklinik, und jetzt ist die Rechnung "
            "gekommen.",
            "Meine Tochter brauchte nach einem Sturz eine MRT-Untersuchung und drei Termine "
            "bei der Physiotherapie.",
        ],
        "contents": [
            "Während unseres Urlaubs wurde in unsere Wohnung eingebrochen; gestohlen wurden "
            "ein Laptop, eine Kamera und Schmuck.",
            "Mein Fahrrad wurde aus dem abgeschlossenen Schuppen hinter dem Haus gestohlen.",
            "In der Küche hat eine Pfanne Feuer gefangen, und der Rauch hat die Vorhänge, "
            "das Sofa und die Küchenschränke beschädigt.",
        ],
    },
    email={
        "claim_new": [
            ("Schadenmeldung zur Police {policy}",
             "Sehr geehrte Damen und Herren,\n\nich möchte einen Schaden zu meiner {product} "
             "mit der Versicherungsnummer {policy} melden.\n\n{loss} Der Schaden ist am "
             "{loss_date} entstanden.\n\nBitte teilen Sie mir mit, welche Unterlagen Sie "
             "benötigen und ob ein Gutachter vorbeikommt. Sie erreichen mich unter {phone}."
             "\n\nMit freundlichen Grüßen\n{name}"),
            ("Neuer Schaden - {policy}",
             "Guten Tag,\n\n{loss} Das war am {loss_date}. Meine Versicherungsnummer lautet "
             "{policy}.\n\nKönnen Sie bitte einen Schadenfall anlegen und mir sagen, wie es "
             "weitergeht? Fotos habe ich gemacht.\n\nViele Grüße\n{name}"),
        ],
        "claim_new_reply": [
            ("",
             "Guten Tag,\n\nvielen Dank für die Bestätigung. Wie gewünscht sende ich Ihnen "
             "die Kostenaufstellung zum Schaden {claim}: Insgesamt belaufen sich die Kosten "
             "auf {amount}.\n\nBitte geben Sie mir Bescheid, falls noch etwas fehlt.\n\n"
             "Mit freundlichen Grüßen\n{name}"),
            ("",
             "Hallo,\n\nkurze Ergänzung zu meiner letzten Mail: Der Kostenvoranschlag für "
             "die Reparatur liegt jetzt vor und beträgt {amount}. Die Schadennummer aus dem "
             "Telefonat ist {claim}.\n\nDanke und viele Grüße\n{first} {last}"),
        ],
        "claim_docs": [
            ("Unterlagen zum Schaden {claim}",
             "Sehr geehrte Damen und Herren,\n\nanbei sende ich Ihnen die Rechnung und die "
             "Fotos zum Schadenfall {claim}. Der Gesamtbetrag beläuft sich auf {amount}.\n\n"
             "Bitte bestätigen Sie mir kurz, dass die Unterlagen vollständig sind.\n\n"
             "Mit freundlichen Grüßen\n{name}"),
            ("Rückfrage zu {claim}",
             "Guten Tag,\n\nwurde für meinen Schaden {claim} schon ein Gutachter beauftragt? "
             "Ich würde die Reparatur gern möglichst bald in Auftrag geben.\n\n"
             "Vielen Dank und freundliche Grüße\n{name}"),
        ],
        "renewal": [
            ("Verlängerung meiner {product} {policy}",
             "Sehr geehrte Damen und Herren,\n\nmeine {product} ({policy}) läuft am "
             "{renewal_date} ab. Ich möchte den Vertrag gern zu den bisherigen Bedingungen "
             "verlängern. Bitte schicken Sie mir ein Angebot.\n\n"
             "Mit freundlichen Grüßen\n{name}"),
            ("Frage zur Vertragsverlängerung",
             "Guten Tag,\n\nich habe Ihr Schreiben zur Verlängerung meiner {product} "
             "erhalten. Bevor der Vertrag am {renewal_date} weiterläuft, würde ich gern "
             "wissen, wie hoch der neue Beitrag ist. Versicherungsnummer: {policy}.\n\n"
             "Viele Grüße\n{name}"),
        ],
        "renewal_reply": [
            ("",
             "Guten Tag,\n\nvielen Dank für das Angebot. Mit der Verlängerung bin ich "
             "einverstanden; der Beitrag kann wie bisher per Lastschrift eingezogen werden."
             "\n\nMit freundlichen Grüßen\n{name}"),
        ],
        "address_change": [
            ("Adressänderung",
             "Sehr geehrte Damen und Herren,\n\nwir sind umgezogen. Bitte ändern Sie die "
             "Anschrift zu meiner Versicherung {policy} ab dem {move_date} auf:\n\n"
             "{new_address}\n\nMit freundlichen Grüßen\n{name}"),
            ("Neue Anschrift - {policy}",
             "Guten Tag,\n\nab dem {move_date} lautet meine neue Adresse {new_address}. "
             "Bitte passen Sie Ihre Unterlagen entsprechend an.\n\nViele Grüße\n{name}"),
        ],
        "bank_change": [
            ("Neue Bankverbindung",
             "Sehr geehrte Damen und Herren,\n\nbitte buchen Sie die Beiträge für meine "
             "Versicherung {policy} künftig von diesem Konto ab:\n\n{account}\n\n"
             "Ein SEPA-Lastschriftmandat für das neue Konto erteile ich hiermit.\n\n"
             "Mit freundlichen Grüßen\n{name}"),
            ("Änderung der Bankverbindung - {policy}",
             "Guten Tag,\n\nmeine Bankverbindung hat sich geändert. Die neue IBAN lautet "
             "{account}. Bitte ziehen Sie den nächsten Beitrag bereits von diesem Konto ein."
             "\n\nViele Grüße\n{name}"),
        ],
        "complaint": [
            ("Beschwerde über die Schadenbearbeitung",
             "Sehr geehrte Damen und Herren,\n\nhiermit lege ich offiziell Beschwerde ein. "
             "Ich habe vor Wochen einen Schaden zu meiner Versicherung {policy} gemeldet und "
             "musste seitdem dreimal nachhaken. Zugesagte Rückrufe bleiben aus, und jedes "
             "Mal habe ich einen anderen Ansprechpartner.\n\nDas ist inakzeptabel. Sollte "
             "ich innerhalb von 14 Tagen keine Antwort erhalten, wende ich mich an den "
             "Versicherungsombudsmann.\n\n{name}"),
            ("Sehr unzufrieden",
             "Guten Tag,\n\nich bin mit Ihrem Service äußerst unzufrieden. Gestern hing ich "
             "45 Minuten in der Warteschleife, dann wurde das Gespräch einfach unterbrochen. "
             "Meine Versicherungsnummer ist {policy}.\n\nBitte behandeln Sie diese E-Mail "
             "als Beschwerde und teilen Sie mir mit, wie Sie das in Ordnung bringen wollen."
             "\n\n{name}"),
        ],
        "complaint_claim": [
            ("Beschwerde - Schaden {claim}",
             "Sehr geehrte Damen und Herren,\n\nich beschwere mich über Ihre Entscheidung "
             "zum Schaden {claim}. In Ihrem Schreiben heißt es, der Schaden sei "
             "ausgeschlossen, aber niemand hat mir erklärt, auf welche Klausel Sie sich "
             "stützen. Ich bitte um eine nochmalige Prüfung.\n\n{name}"),
        ],
        "payment_delay": [
            ("Auszahlung noch nicht erhalten",
             "Guten Tag,\n\nmein Schaden zur Versicherung {policy} wurde am {approved_date} "
             "anerkannt, und man sagte mir, das Geld sei innerhalb von fünf Werktagen auf "
             "meinem Konto. Bis heute habe ich noch keine Zahlung erhalten. Es geht um "
             "{amount}.\n\nKönnen Sie bitte nachsehen, was passiert ist?\n\n"
             "Viele Grüße\n{name}"),
            ("Wo bleibt meine Erstattung?",
             "Sehr geehrte Damen und Herren,\n\ndie zugesagte Erstattung von {amount} zu "
             "meiner {product} ({policy}) ist bis heute nicht auf meinem Konto eingegangen. "
             "Wo bleibt meine Erstattung?\n\nMit freundlichen Grüßen\n{name}"),
        ],
        "question": [
            ("Kopie der Versicherungsunterlagen",
             "Guten Tag,\n\nkönnten Sie mir bitte eine Kopie meines Versicherungsscheins zur "
             "Police {policy} schicken? Ich finde ihn nicht mehr, und mein Vermieter möchte "
             "einen Nachweis sehen.\n\nVielen Dank\n{name}"),
            ("Frage zum Versicherungsschutz",
             "Hallo,\n\nich möchte wissen, was meine {product} genau abdeckt. Sind Schäden "
             "durch Unachtsamkeit mitversichert, und wie hoch ist meine Selbstbeteiligung? "
             "Versicherungsnummer: {policy}.\n\nDanke und viele Grüße\n{first}"),
        ],
        "spouse": [
            ("Schaden {claim}",
             "Guten Tag,\n\n<<mein Mann|meine Frau>> {cust_name} liegt zurzeit im "
             "Krankenhaus, deshalb schreibe ich Ihnen. Können Sie mir sagen, wie der Stand "
             "beim Schaden {claim} ist? Ihre Fragen beantworte ich gern.\n\n"
             "Mit freundlichen Grüßen\n{name}"),
            ("Belege zum Schaden {claim}",
             "Hallo,\n\n<<mein Mann|meine Frau>> {cust_first} hat mich gebeten, Ihnen die "
             "Belege zum Schaden {claim} zu schicken. Sie sind im Anhang. Bitte antworten "
             "Sie uns beiden.\n\nViele Grüße\n{name}"),
        ],
        "stranger": [
            ("Angebot {product}",
             "Guten Tag,\n\nich interessiere mich für eine {product} für unsere vierköpfige "
             "Familie. Was würde das kosten, und was ist enthalten? Sie erreichen mich unter "
             "{phone}.\n\nViele Grüße\n{name}"),
            ("Anfrage",
             "Hallo,\n\nversichern Sie auch Ferienwohnungen im Ausland? Ich habe Ihre "
             "Adresse auf Ihrer Webseite gefunden.\n\nMit freundlichen Grüßen\n{name}"),
        ],
    },
    short={
        "claim_status_sms": [
            "Hallo, hier ist {name}. Gibt es schon Neuigkeiten zu meinem Schaden {claim}? "
            "Die Fotos habe ich letzte Woche geschickt. Danke",
            "Guten Tag, wie ist der Stand bei Schaden {claim}? Der Handwerker wartet auf "
            "Ihre Freigabe. Gruß {first}",
        ],
        "claim_status_call": [
            f"{_CALLER}: Guten Tag, ich rufe wegen meines Schadens {{claim}} an. Ich habe vor "
            "zehn Tagen den Kostenvoranschlag geschickt und seitdem nichts gehört.\n"
            "Mitarbeiterin: Ich sehe nach. Der Gutachter prüft den Fall und meldet sich diese "
            f"Woche bei Ihnen.\n{_CALLER}: Gut, er soll mich bitte unter dieser Nummer "
            "zurückrufen.",
            f"{_CALLER}: Guten Morgen, hier ist {{name}}. Brauchen Sie für den Schaden "
            "{claim} noch etwas von mir?\nMitarbeiter: Uns fehlt noch der Polizeibericht.\n"
            f"{_CALLER}: Alles klar, den schicke ich heute per E-Mail.",
        ],
        "claim_status_sms_2": [
            "Hallo nochmal, zum Schaden {claim} habe ich immer noch keine Antwort. Bitte "
            "rufen Sie mich unter dieser Nummer zurück. {first}",
        ],
        "payment_delay_sms": [
            "Hallo, mein Schaden {claim} wurde vor zwei Wochen anerkannt, aber das Geld ist "
            "nicht angekommen. Wo bleibt meine Zahlung? {name}",
        ],
        "voicemail": [
            "Guten Tag, hier spricht {name}, Versicherungsnummer {policy}. Könnten Sie mich "
            "bitte zurückrufen? Ich habe eine Frage zu meiner {product}. Danke, auf "
            "Wiederhören.",
            "Hallo, hier ist {first} {last}. Ich habe versucht, Sie wegen meiner Police "
            "{policy} zu erreichen. Bitte rufen Sie mich heute Nachmittag zurück. Danke.",
        ],
        "missed_call_sms": [
            "Guten Tag, ich habe gerade versucht, Sie anzurufen. Bitte rufen Sie mich zurück, "
            "wenn es Ihnen passt. {name}",
        ],
        "question_call": [
            f"{_CALLER}: Hallo, ich habe eine Frage zur Police {{policy}}. Ich finde meine "
            "Vertragsunterlagen nicht mehr. Könnten Sie sie noch einmal schicken?\n"
            "Mitarbeiterin: Natürlich, ich schicke sie Ihnen heute per E-Mail.\n"
            f"{_CALLER}: Danke, das wäre super.",
            f"{_CALLER}: Guten Tag, wie hoch ist eigentlich die Selbstbeteiligung bei meiner "
            "{product}?\nMitarbeiter: Sie beträgt {deductible}, ich bestätige Ihnen das "
            f"schriftlich.\n{_CALLER}: Prima, vielen Dank.",
        ],
        "complaint_call": [
            f"{_CALLER}: Ich habe Ihnen letzte Woche eine Beschwerde geschickt, und niemand "
            "hat geantwortet.\nMitarbeiterin: Das tut mir leid, ich gebe sie heute an meine "
            f"Vorgesetzte weiter.\n{_CALLER}: Ich erwarte bis Freitag einen Rückruf.",
        ],
        "stranger_sms": [
            "Hallo, versichern Sie auch Fahranfänger? Mein Sohn hat gerade den Führerschein "
            "gemacht. Danke, {first}",
        ],
    },
    letter={
        "renewal": [
            ("Verlängerung meiner {product}, Versicherungsnummer {policy}",
             "meine {product} mit der Nummer {policy} läuft am {renewal_date} ab. Da ich "
             "keine E-Mail nutze, schicken Sie mir die Unterlagen zur Verlängerung bitte per "
             "Post. Außerdem möchte ich wissen, ob ich den Beitrag auch monatlich zahlen "
             "kann."),
        ],
        "address_change": [
            ("Adressänderung zur Versicherung {policy}",
             "ich bin umgezogen. Meine neue Anschrift finden Sie oben. Bitte ändern Sie die "
             "Adresse zu meiner Versicherung {policy} und schicken Sie künftige Post "
             "dorthin."),
        ],
        "complaint": [
            ("Beschwerde - Versicherung {policy}",
             "hiermit beschwere ich mich über die Bearbeitung meiner Anfrage zur "
             "Versicherung {policy}. Ich habe zweimal geschrieben und viermal angerufen und "
             "habe bis heute keine Antwort. Ich bin sehr unzufrieden und bitte um eine "
             "schriftliche Stellungnahme der Abteilungsleitung."),
        ],
    },
    letter_frame=(
        "{name}\n{address}\n\n{city}, {date}\n\nKundenservice\n\nBetreff: {re}\n\n"
        "Sehr geehrte Damen und Herren,\n\n{body}\n\nMit freundlichen Grüßen\n\n{name}"
    ),
    auto_reply=[
        ("Abwesenheitsnotiz:",
         "Vielen Dank für Ihre Nachricht. Ich bin bis einschließlich {return_date} nicht im "
         "Büro und habe nur eingeschränkt Zugriff auf meine E-Mails. Nach meiner Rückkehr "
         "melde ich mich bei Ihnen.\n\n{name}"),
        ("Automatische Antwort:",
         "Ich bin bis zum {return_date} im Urlaub. In dringenden Fällen erreichen Sie mich "
         "unter {phone}."),
    ],
    reply_prefixes=["AW:", "Re:", "Antw:"],
    date_format="{dd}.{mm}.{y}",
    months=[],
    money=("", " €", ".", ",", 2),
)
