"""Indonesian (Indonesia)."""

from inbox.demo.texts.pack import LanguagePack

PACK = LanguagePack(
    code="id",
    products={
        "home": "asuransi rumah",
        "motor": "asuransi mobil",
        "travel": "asuransi perjalanan",
        "health": "asuransi kesehatan",
        "contents": "asuransi isi rumah",
    },
    losses={
        "home": [
            "Pipa di bawah lantai kamar mandi pecah dan airnya merembes ke plafon dapur.",
            "Saat badai hari Minggu malam, beberapa genteng terlepas dan sekarang air hujan "
            "masuk ke loteng.",
            "Selang mesin cuci bocor saat kami tidak di rumah, dan lantai lorong tergenang "
            "air.",
        ],
        "motor": [
            "Mobil saya ditabrak oleh kendaraan yang sedang mundur di parkiran supermarket, "
            "lalu pengemudinya langsung pergi. Bemper belakang dan pintu bagasi penyok.",
            "Kaca depan mobil saya terkena batu di jalan tol dan retakannya makin panjang.",
            "Mobil saya ditabrak dari belakang saat berhenti di lampu merah. Pengemudi "
            "lainnya sudah mengakui kesalahannya.",
        ],
        "travel": [
            "Koper saya tidak tiba bersama penerbangan ke Singapura, dan maskapai sampai "
            "sekarang belum menemukannya.",
            "Kami terpaksa membatalkan perjalanan ke Jepang karena saya dirawat di rumah "
            "sakit dua hari sebelum berangkat.",
            "Anak saya patah pergelangan tangan saat bermain ski di Korea, dan kami harus "
            "membayar klinik di tempat.",
        ],
        "health": [
            "Saya menjalani operasi lutut di rumah sakit swasta dan tagihannya baru saja "
            "datang.",
            "Putri saya harus menjalani pemeriksaan MRI dan tiga kali fisioterapi setelah "
            "terjatuh.",
        ],
        "contents": [
            "Rumah kami kemalingan saat kami sedang berlibur; laptop, kamera, dan perhiasan "
            "dicuri.",
            "Sepeda saya dicuri dari gudang terkunci di belakang rumah.",
            "Wajan di dapur terbakar dan asapnya merusak gorden, sofa, serta lemari dapur.",
        ],
    },
    email={
        "claim_new": [
            ("Laporan klaim - polis {policy}",
             "Selamat pagi,\n\nSaya ingin melaporkan kerugian atas {product} saya dengan "
             "nomor polis {policy}.\n\n{loss} Kejadiannya pada tanggal {loss_date}.\n\nMohon "
             "informasikan dokumen apa saja yang diperlukan dan apakah akan ada petugas "
             "survei yang datang. Saya bisa dihubungi di {phone}.\n\nHormat saya,\n{name}"),
            ("Klaim baru {policy}",
             "Halo,\n\n{loss} Kejadiannya tanggal {loss_date}. Nomor polis saya {policy}.\n\n"
             "Bisakah dibukakan klaim dan dijelaskan langkah selanjutnya? Saya sudah "
             "mengambil foto.\n\nTerima kasih,\n{name}"),
        ],
        "claim_new_reply": [
            ("",
             "Selamat siang,\n\nTerima kasih atas konfirmasinya. Sesuai permintaan, berikut "
             "rincian biaya untuk klaim {claim}: totalnya {amount}.\n\nMohon kabari jika "
             "masih ada yang kurang.\n\nHormat saya,\n{name}"),
            ("",
             "Halo lagi,\n\nMenambahkan email saya sebelumnya: penawaran biaya perbaikan "
             "sudah saya dapatkan, jumlahnya {amount}. Nomor klaim yang diberikan lewat "
             "telepon adalah {claim}.\n\nTerima kasih,\n{first}"),
        ],
        "claim_docs": [
            ("Dokumen klaim {claim}",
             "Selamat pagi,\n\nTerlampir saya kirimkan faktur dan foto untuk klaim {claim}. "
             "Total biayanya {amount}.\n\nMohon konfirmasi apakah dokumennya sudah lengkap."
             "\n\nHormat saya,\n{name}"),
            ("Pertanyaan tentang klaim {claim}",
             "Halo,\n\nApakah sudah ada petugas survei yang ditunjuk untuk klaim {claim}? "
             "Saya ingin segera memesan perbaikan.\n\nTerima kasih banyak,\n{name}"),
        ],
        "renewal": [
            ("Perpanjangan polis {policy}",
             "Selamat pagi,\n\n{Product} saya ({policy}) akan berakhir pada {renewal_date}. "
             "Saya ingin mengajukan perpanjangan dengan ketentuan yang sama. Mohon dikirimkan "
             "penawarannya.\n\nHormat saya,\n{name}"),
            ("Polis {policy} akan habis",
             "Halo,\n\nSaya menerima pemberitahuan bahwa polis saya {policy} akan habis pada "
             "{renewal_date}. Sebelum pembaruan polis, saya ingin tahu apakah preminya naik "
             "tahun ini.\n\nTerima kasih,\n{name}"),
        ],
        "renewal_reply": [
            ("",
             "Selamat pagi,\n\nTerima kasih atas penawarannya. Saya setuju dengan perpanjangan "
             "polis, dan premi bisa didebit otomatis seperti sebelumnya.\n\n"
             "Hormat saya,\n{name}"),
        ],
        "address_change": [
            ("Perubahan alamat",
             "Selamat pagi,\n\nKami sudah pindah rumah. Mohon ubah alamat pada polis {policy} "
             "mulai {move_date} menjadi:\n\n{new_address}\n\nHormat saya,\n{name}"),
            ("Alamat baru - {policy}",
             "Halo,\n\nMulai {move_date} saya tinggal di {new_address}. Data lainnya tetap "
             "sama.\n\nTerima kasih,\n{name}"),
        ],
        "bank_change": [
            ("Rekening baru untuk premi",
             "Selamat pagi,\n\nSaya sudah pindah bank. Mohon premi polis {policy} selanjutnya "
             "didebit dari rekening berikut:\n\n{account}\n\nTerima kasih,\n{name}"),
            ("Ganti nomor rekening - {policy}",
             "Halo,\n\nSaya ingin mengganti nomor rekening untuk autodebet premi polis "
             "{policy}. Rekening yang baru: {account}.\n\nHormat saya,\n{name}"),
        ],
        "complaint": [
            ("Keluhan tentang penanganan klaim saya",
             "Selamat siang,\n\nSaya ingin menyampaikan keluhan resmi. Beberapa minggu lalu "
             "saya melaporkan kerugian atas polis {policy}, dan sejak itu saya sudah tiga kali "
             "menanyakan perkembangannya. Tidak ada yang menelepon balik seperti yang "
             "dijanjikan, dan setiap kali saya berbicara dengan orang yang berbeda.\n\nHal ini "
             "tidak dapat diterima. Jika dalam 14 hari saya tidak mendapat jawaban yang jelas, "
             "saya akan mengajukan pengaduan ke OJK.\n\n{name}"),
            ("Sangat kecewa dengan layanan Anda",
             "Halo,\n\nSaya sangat kecewa dengan pelayanan Anda. Kemarin saya menunggu di "
             "telepon selama 45 menit, lalu sambungannya terputus. Nomor polis saya "
             "{policy}.\n\nMohon anggap email ini sebagai keluhan dan beri tahu saya bagaimana "
             "Anda akan menyelesaikannya.\n\n{name}"),
        ],
        "complaint_claim": [
            ("Keluhan - klaim {claim}",
             "Selamat siang,\n\nSaya ingin mengajukan keluhan atas keputusan untuk klaim "
             "{claim}. Dalam surat Anda disebutkan bahwa kerugian ini dikecualikan, tetapi "
             "tidak ada yang menjelaskan pasal mana yang menjadi dasarnya. Menurut saya ini "
             "tidak dapat diterima, dan saya meminta keputusan tersebut ditinjau ulang.\n\n"
             "{name}"),
        ],
        "payment_delay": [
            ("Keterlambatan pembayaran klaim",
             "Selamat pagi,\n\nKlaim saya untuk polis {policy} sudah disetujui pada "
             "{approved_date}, dan saya diberi tahu bahwa dananya akan masuk dalam lima hari "
             "kerja. Sampai hari ini saya belum menerima pembayaran sebesar {amount}.\n\n"
             "Mohon dicek apa yang terjadi.\n\nTerima kasih,\n{name}"),
            ("Dana klaim belum masuk",
             "Halo,\n\nPembayaran klaim sebesar {amount} yang sudah dikonfirmasi untuk "
             "{product} saya ({policy}) sampai sekarang belum masuk ke rekening saya.\n\n"
             "Hormat saya,\n{name}"),
        ],
        "question": [
            ("Salinan dokumen polis",
             "Selamat pagi,\n\nBisakah Anda mengirimkan salinan dokumen polis {policy}? Saya "
             "tidak dapat menemukannya, dan bank meminta bukti asuransi.\n\n"
             "Terima kasih,\n{name}"),
            ("Pertanyaan tentang pertanggungan",
             "Halo,\n\nSaya ingin tahu apa saja yang ditanggung oleh {product} saya. Apakah "
             "kerusakan karena kecelakaan termasuk, dan berapa risiko sendiri saya? Nomor "
             "polis: {policy}.\n\nTerima kasih banyak,\n{first}"),
        ],
        "spouse": [
            ("Klaim {claim}",
             "Selamat pagi,\n\n<<Suami|Istri>> saya, {cust_name}, sedang dirawat di rumah "
             "sakit, jadi saya yang menulis kepada Anda. Bisakah Anda memberi tahu "
             "perkembangan klaim {claim}? Saya siap menjawab pertanyaan Anda.\n\n"
             "Hormat saya,\n{name}"),
            ("Kuitansi untuk klaim {claim}",
             "Halo,\n\n<<Suami|Istri>> saya, {cust_first}, meminta saya mengirimkan kuitansi "
             "untuk klaim {claim}. Kuitansinya terlampir. Mohon balas ke kami berdua.\n\n"
             "Terima kasih,\n{name}"),
        ],
        "stranger": [
            ("Penawaran {product}",
             "Selamat pagi,\n\nSaya tertarik dengan {product} untuk keluarga kami yang "
             "berjumlah empat orang. Berapa biayanya dan apa saja yang ditanggung? Silakan "
             "hubungi saya di {phone}.\n\nTerima kasih,\n{name}"),
            ("Pertanyaan",
             "Halo,\n\nApakah Anda juga mengasuransikan vila di luar negeri? Saya menemukan "
             "kontak Anda di situs web Anda.\n\nSalam,\n{name}"),
        ],
    },
    short={
        "claim_status_sms": [
            "Halo, saya {name}. Apakah ada kabar tentang klaim saya {claim}? Fotonya sudah "
            "saya kirim minggu lalu. Terima kasih",
            "Selamat siang, bagaimana status klaim {claim}? Tukangnya menunggu persetujuan "
            "dari Anda. {first}",
        ],
        "claim_status_call": [
            "Penelepon: Halo, saya menelepon soal klaim saya {claim}. Sepuluh hari lalu saya "
            "mengirim perkiraan biaya perbaikan dan sampai sekarang tidak ada kabar.\n"
            "Petugas: Saya cek dulu. Petugas survei sedang memeriksa berkasnya dan akan "
            "menghubungi [[Bapak|Ibu]] minggu ini.\nPenelepon: Baik, tolong minta beliau "
            "menelepon saya di nomor ini.",
            "Penelepon: Selamat pagi, saya {name}. Apakah masih ada yang diperlukan untuk "
            "klaim {claim}?\nPetugas: Kami masih menunggu laporan polisi.\nPenelepon: Baik, "
            "akan saya kirim lewat email hari ini.",
        ],
        "claim_status_sms_2": [
            "Halo lagi, soal klaim {claim} saya masih belum mendapat jawaban. Mohon telepon "
            "saya di nomor ini. {first}",
        ],
        "payment_delay_sms": [
            "Halo, klaim {claim} sudah disetujui dua minggu lalu, tapi dananya belum masuk "
            "ke rekening saya. Kapan dibayar? {name}",
        ],
        "voicemail": [
            "Selamat pagi, saya {name}, nomor polis {policy}. Mohon ada yang menelepon saya "
            "kembali. Saya ada pertanyaan tentang {product} saya. Terima kasih.",
            "Halo, saya {first} {last}. Saya mencoba menghubungi Anda soal polis {policy}. "
            "Tolong telepon balik sore ini. Terima kasih.",
        ],
        "missed_call_sms": [
            "Selamat siang, barusan saya mencoba menelepon Anda. Mohon telepon balik kalau "
            "sempat. {name}",
        ],
        "question_call": [
            "Penelepon: Halo, saya ada pertanyaan soal polis {policy}. Dokumen polis saya "
            "hilang, bisa dikirim ulang?\nPetugas: Tentu, hari ini saya kirim lewat email.\n"
            "Penelepon: Terima kasih, bagus sekali.",
            "Penelepon: Selamat siang, berapa risiko sendiri untuk {product} saya?\n"
            "Petugas: Sebesar {deductible}, nanti saya konfirmasi secara tertulis.\n"
            "Penelepon: Baik, terima kasih atas bantuannya.",
        ],
        "complaint_call": [
            "Penelepon: Minggu lalu saya mengirim keluhan dan tidak ada yang menjawab.\n"
            "Petugas: Mohon maaf, hari ini akan saya teruskan ke atasan saya.\n"
            "Penelepon: Saya tunggu telepon balik paling lambat hari Jumat.",
        ],
        "stranger_sms": [
            "Halo, apakah Anda juga melayani asuransi mobil untuk pengemudi pemula? Anak saya "
            "baru dapat SIM. Terima kasih, {first}",
        ],
    },
    letter={
        "renewal": [
            ("Perpanjangan polis {policy}",
             "{Product} saya dengan nomor polis {policy} akan berakhir pada {renewal_date}. "
             "Karena saya tidak menggunakan email, mohon dokumen perpanjangan dikirimkan "
             "melalui pos. Saya juga ingin tahu apakah premi bisa dibayar bulanan."),
        ],
        "address_change": [
            ("Perubahan alamat - polis {policy}",
             "Dengan ini saya memberitahukan bahwa saya sudah pindah rumah. Alamat baru saya "
             "tercantum di bagian atas surat ini. Mohon alamat pada polis {policy} "
             "diperbarui dan semua surat selanjutnya dikirim ke alamat tersebut."),
        ],
        "complaint": [
            ("Pengaduan - polis {policy}",
             "Dengan ini saya menyampaikan keluhan atas cara penanganan permintaan saya "
             "terkait polis {policy}. Saya sudah dua kali mengirim surat dan empat kali "
             "menelepon, tetapi sampai sekarang tidak ada jawaban. Saya sangat kecewa dan "
             "meminta tanggapan tertulis dari pimpinan."),
        ],
    },
    letter_frame=(
        "{name}\n{address}\n\n{city}, {date}\n\nKepada Yth. Layanan Pelanggan\n\n"
        "Perihal: {re}\n\nDengan hormat,\n\n{body}\n\nHormat saya,\n\n{name}"
    ),
    auto_reply=[
        ("Balasan otomatis:",
         "Terima kasih atas email Anda. Saya sedang tidak berada di kantor hingga "
         "{return_date} dan akses email saya terbatas. Saya akan membalas setelah kembali."
         "\n\n{name}"),
        ("Di luar kantor:",
         "Saya sedang cuti sampai {return_date}. Untuk keperluan mendesak, silakan hubungi "
         "{phone}."),
    ],
    reply_prefixes=["Re:", "Balas:", "RE:"],
    date_format="{d} {month} {y}",
    months=["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
            "September", "Oktober", "November", "Desember"],
    money=("Rp ", "", ".", ",", 0),
)
