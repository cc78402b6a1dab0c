"""Texts for the PT XYZ service demo: subjects, replies, canned replies, scripts, articles."""

SUBJECTS: dict[str, list[tuple[str, str]]] = {
    # type key: [(subject, description)]
    "complaint": [
        ("Rice cooker tidak panas", "Rice cooker yang saya beli bulan lalu tidak memanaskan nasi."),
        ("Barang datang penyok", "Kotak dan bodi kipas angin penyok saat diterima."),
        ("Pengiriman terlambat 5 hari", "Pesanan belum sampai padahal dijanjikan 2 hari."),
        ("Kasir tidak ramah", "Pelayanan kasir di cabang Kelapa Gading kurang ramah."),
        ("Tagihan ganda di kartu kredit", "Pembayaran saya terpotong dua kali."),
        ("Blender bocor", "Tabung blender bocor di bagian bawah setelah dua kali pakai."),
        ("Setrika mati total", "Setrika tidak menyala sama sekali."),
        ("Harga di struk berbeda dengan rak", "Harga promo di rak tidak berlaku di kasir."),
    ],
    "question": [
        ("Jam buka toko saat Lebaran", "Apakah toko buka pada hari raya Idulfitri?"),
        ("Cara pakai mode slow cook", "Bagaimana cara memakai mode slow cook di magic com?"),
        ("Status poin member", "Berapa poin member saya sekarang?"),
        ("Apakah bisa cicilan 0%?", "Kartu kredit apa saja yang bisa cicilan 0%?"),
        ("Stok dispenser galon bawah", "Apakah dispenser galon bawah tersedia di Surabaya?"),
    ],
    "service_request": [
        ("Minta faktur pajak", "Mohon dikirimkan faktur pajak untuk pembelian kantor."),
        ("Ubah alamat pengiriman", "Saya ingin mengubah alamat pengiriman pesanan."),
        ("Jadwalkan pemasangan AC", "Mohon jadwal teknisi untuk pemasangan AC 1 PK."),
        ("Ganti nomor HP di akun member", "Nomor HP lama sudah tidak aktif."),
    ],
    "return": [
        ("Retur: warna tidak sesuai", "Warna kulkas yang datang berbeda dengan pesanan."),
        ("Retur: ukuran panci salah", "Saya memesan panci 24 cm tetapi datang 20 cm."),
        ("Retur: barang tidak lengkap", "Aksesori mixer tidak ada di dalam kotak."),
    ],
    "warranty": [
        ("Klaim garansi rice cooker", "Rice cooker rusak dalam masa garansi 1 tahun."),
        ("Klaim garansi kipas angin", "Kipas angin berbunyi keras dan berhenti berputar."),
        ("Klaim garansi mesin cuci", "Mesin cuci tidak mau memeras."),
        ("Klaim garansi microwave", "Microwave tidak memanaskan, lampu menyala."),
    ],
}
FIRST_REPLIES = [
    "Terima kasih telah menghubungi kami, {name}. Kami sedang memeriksa laporan Anda.",
    "Halo {name}, mohon kirimkan foto barang dan nomor struk agar kami bisa bantu lebih cepat.",
    "Baik {name}, permintaan Anda sudah kami teruskan ke tim terkait.",
]
CUSTOMER_FOLLOWUPS = [
    "Sudah saya kirim fotonya, mohon dicek.",
    "Bagaimana perkembangannya? Sudah 3 hari belum ada kabar.",
    "Nomor struknya 0012-4455, terima kasih.",
]
RESOLUTIONS = {
    "complaint": [
        ("product_defect", "Unit cacat produksi dari pemasok.", "Unit diganti baru."),
        (
            "delivery",
            "Kurir mitra terlambat karena volume tinggi.",
            "Ongkir dikembalikan dan voucher Rp50.000.",
        ),
        (
            "staff",
            "Kasir belum mendapat pelatihan layanan.",
            "Permintaan maaf dan pelatihan ulang staf.",
        ),
        ("billing", "Gangguan sistem EDC bank.", "Dana dikembalikan dalam 3 hari kerja."),
        (
            "information",
            "Label harga promo belum diperbarui.",
            "Selisih harga dikembalikan; label diperbaiki.",
        ),
        (
            "customer_use",
            "Produk dipakai tidak sesuai petunjuk.",
            "Edukasi cara pakai melalui telepon.",
        ),
    ],
    "other": [
        ("", "", "Pertanyaan dijawab; pelanggan puas."),
        ("", "", "Permintaan diproses dan dikonfirmasi."),
    ],
}
FINAL_REPLY = "Permintaan Anda sudah kami selesaikan. Terima kasih atas kesabaran Anda, {name}."
CSAT_COMMENTS = {
    5: ["Cepat dan ramah, terima kasih!", "Pelayanan sangat baik.", ""],
    4: ["Cukup cepat.", "Baik, tapi sempat menunggu.", ""],
    3: ["Lumayan, perlu lebih cepat.", ""],
    2: ["Terlalu lama menunggu jawaban.", "Harus menghubungi berkali-kali."],
    1: ["Sangat kecewa, masalah belum benar-benar selesai."],
}
NPS_COMMENTS = {
    "promoter": ["Pilihan barang lengkap dan harga bersaing.", "Layanan purna jual bagus."],
    "passive": ["Cukup baik.", "Pengiriman kadang lambat."],
    "detractor": ["Layanan keluhan lambat.", "Barang sering kosong."],
}

CANNED = [
    (
        "Salam pembuka",
        "id",
        "Halo {customer_first_name},\n\nTerima kasih telah menghubungi layanan pelanggan kami. Saya {agent_name} akan membantu permintaan Anda ({ticket_number}).",
    ),
    (
        "Minta foto dan struk",
        "id",
        "Mohon kirimkan foto barang yang bermasalah dan foto struk pembelian, {customer_first_name}. Anda dapat membalas e-mail ini atau mengunggahnya di portal: {portal_url}",
    ),
    (
        "Klaim garansi diterima",
        "id",
        "Klaim garansi Anda untuk {ticket_subject} sudah kami terima. Teknisi akan menghubungi Anda dalam 2 hari kerja.",
    ),
    (
        "Retur disetujui",
        "id",
        "Retur Anda disetujui. Silakan bawa barang beserta kemasan dan struk ke toko terdekat dalam 7 hari.",
    ),
    (
        "Penutup",
        "id",
        "Apakah ada hal lain yang bisa kami bantu, {customer_first_name}? Salam, {agent_name} – {company_name}",
    ),
    (
        "Greeting",
        "en",
        "Hello {customer_first_name},\n\nThank you for contacting our customer service. I am {agent_name} and I will help you with {ticket_number}.",
    ),
    (
        "Warranty claim received",
        "en",
        "We have received your warranty claim for {ticket_subject}. A technician will contact you within 2 working days.",
    ),
]

SCRIPTS = [
    (
        "Diagnosis rice cooker",
        "warranty",
        "Pertanyaan kontak pertama untuk rice cooker yang tidak berfungsi.",
        """start: Apakah lampu indikator menyala saat dicolokkan?
  > Minta pelanggan melihat lampu kecil di bagian depan.
  - Ya -> panas
  - Tidak -> listrik
listrik: Apakah stopkontak berfungsi untuk alat lain?
  - Ya -> garansi
  - Tidak -> END: Masalah listrik rumah. Sarankan memakai stopkontak lain; selesai di kontak pertama.
panas: Apakah nasi matang setelah 40 menit?
  - Ya -> END: Tidak ada kerusakan; jelaskan takaran air dan mode memasak.
  - Tidak -> garansi
garansi: Apakah pembelian kurang dari 12 bulan dan struk tersedia?
  - Ya -> END: Buat klaim garansi; minta foto unit dan struk, jadwalkan penjemputan.
  - Tidak -> END: Tawarkan servis berbayar di pusat servis resmi.
""",
    ),
    (
        "Retur barang",
        "return",
        "Memeriksa syarat retur 7 hari.",
        """start: Apakah barang diterima kurang dari 7 hari yang lalu?
  - Ya -> kondisi
  - Tidak -> END: Di luar masa retur; tawarkan klaim garansi bila rusak.
kondisi: Apakah kemasan dan aksesori masih lengkap?
  - Ya -> END: Setujui retur; kirim canned reply "Retur disetujui".
  - Tidak -> END: Retur sebagian; eskalasi ke supervisor toko.
""",
    ),
]

ARTICLE_CATEGORIES = [
    ("warranty", "Warranty", "Garansi"),
    ("returns", "Returns and refunds", "Retur dan pengembalian dana"),
    ("delivery", "Delivery", "Pengiriman"),
    ("payment", "Payment", "Pembayaran"),
    ("products", "Using our products", "Tips produk"),
]
# slug, category, visibility, status, {lang: (title, summary, body)}
ARTICLES = [
    (
        "cara-klaim-garansi-rice-cooker",
        "warranty",
        "public",
        "published",
        {
            "id": (
                "Cara klaim garansi rice cooker",
                "Langkah mengajukan klaim garansi untuk rice cooker dan magic com.",
                'Garansi berlaku 12 bulan sejak tanggal pembelian pada struk.\n\n## Yang perlu disiapkan\n- Struk pembelian atau nomor pesanan\n- Foto unit dan nomor seri\n- Penjelasan singkat kerusakan\n\n## Langkah\n- Masuk ke portal pelanggan dan buat permintaan baru dengan jenis "Klaim garansi".\n- Unggah foto dan struk.\n- Teknisi kami menghubungi Anda dalam 2 hari kerja.\n\nGaransi tidak berlaku untuk kerusakan karena jatuh, air, atau listrik tidak stabil.',
            ),
            "en": (
                "How to claim the warranty on a rice cooker",
                "Steps to file a warranty claim for rice cookers.",
                'The warranty runs for 12 months from the purchase date on your receipt.\n\n## What you need\n- The receipt or order number\n- A photo of the unit and its serial number\n- A short description of the fault\n\n## Steps\n- Sign in to the customer portal and open a new request of type "Warranty claim".\n- Upload the photo and the receipt.\n- Our technician calls you within 2 working days.\n\nThe warranty does not cover damage from drops, water or unstable power.',
            ),
        },
    ),
    (
        "kebijakan-retur-7-hari",
        "returns",
        "public",
        "published",
        {
            "id": (
                "Kebijakan retur 7 hari",
                "Barang dapat dikembalikan dalam 7 hari bila kemasan lengkap.",
                "Anda dapat mengembalikan barang dalam 7 hari setelah diterima.\n\n- Kemasan, aksesori dan buku manual harus lengkap.\n- Sertakan struk atau nomor pesanan.\n- Dana dikembalikan ke metode pembayaran semula dalam 3–5 hari kerja.\n\nBarang elektronik yang sudah dipasang oleh teknisi tidak dapat diretur, tetapi tetap bergaransi.",
            ),
            "en": (
                "7-day return policy",
                "Return items within 7 days if the packaging is complete.",
                "You can return an item within 7 days of receiving it.\n\n- Packaging, accessories and manual must be complete.\n- Bring the receipt or the order number.\n- Refunds go back to the original payment method within 3–5 working days.\n\nElectronics installed by our technician cannot be returned but remain under warranty.",
            ),
        },
    ),
    (
        "lacak-pengiriman",
        "delivery",
        "public",
        "published",
        {
            "id": (
                "Melacak pengiriman pesanan",
                "Cara mengetahui posisi pesanan Anda.",
                "Nomor resi dikirim lewat e-mail dan WhatsApp setelah pesanan dikirim.\n\nPengiriman Jabodetabek 1–2 hari kerja, Pulau Jawa 2–4 hari kerja, luar Jawa 4–7 hari kerja. Pada masa Lebaran pengiriman dapat lebih lama.",
            ),
            "en": (
                "Tracking your delivery",
                "How to find out where your order is.",
                "We send the tracking number by e-mail and WhatsApp once your order ships.\n\nGreater Jakarta 1–2 working days, Java 2–4, outside Java 4–7. Deliveries around Lebaran can take longer.",
            ),
        },
    ),
    (
        "metode-pembayaran",
        "payment",
        "public",
        "published",
        {
            "id": (
                "Metode pembayaran dan cicilan 0%",
                "Transfer bank, e-wallet, kartu kredit dan cicilan.",
                "Kami menerima transfer bank (BCA, Mandiri, BNI, BRI), QRIS, e-wallet dan kartu kredit.\n\nCicilan 0% 3, 6 dan 12 bulan tersedia untuk pembelian minimal Rp1.000.000 dengan kartu kredit bank mitra.",
            ),
        },
    ),
    (
        "merawat-kipas-angin",
        "products",
        "public",
        "published",
        {
            "id": (
                "Merawat kipas angin agar awet",
                "Bersihkan baling-baling sebulan sekali.",
                "- Cabut kabel sebelum membersihkan.\n- Lepas pelindung depan dan lap baling-baling dengan kain lembap.\n- Jangan menyemprotkan air ke motor.",
            ),
            "en": (
                "Keeping your fan in good shape",
                "Clean the blades once a month.",
                "- Unplug before cleaning.\n- Remove the front guard and wipe the blades with a damp cloth.\n- Never spray water on the motor.",
            ),
        },
    ),
    (
        "sop-pelanggan-marah",
        None,
        "internal",
        "published",
        {
            "id": (
                "SOP menangani pelanggan yang marah",
                "Panduan internal untuk agen layanan.",
                "## Prinsip\n- Dengarkan sampai selesai, jangan memotong.\n- Ulangi keluhan dengan kata-kata sendiri.\n- Tawarkan solusi konkret dan tenggat waktu.\n\nEskalasi ke supervisor bila pelanggan meminta kompensasi di atas Rp500.000.",
            ),
        },
    ),
    (
        "promo-ramadan-draft",
        "payment",
        "public",
        "draft",
        {"id": ("Promo Ramadan (draf)", "", "Draf pengumuman promo Ramadan tahun depan.")},
    ),
]
