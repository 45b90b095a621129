"""The words, colours and symbols diaban uses, each defined once.

Every code users can meet — a hotspot status, a facility kind, a QĐ 28 class, a
measure, a classification scheme, a role, an action, a hot-spot category — is a
:class:`Term` of one :class:`Vocabulary` here, with its Vietnamese and English
label and, where it is drawn, one colour and one symbol used on screen (folium)
and in print (matplotlib) alike. Pages, the CLI, map layers and figures read
them from here; nothing else defines a label or a colour for these codes.

Examples
--------
>>> HOTSPOT_STATUSES.label("transformed", "en")
'Transformed'
>>> FACILITY_KINDS["methadone"].shape
'diamond'
>>> QD28_CLASSES.label("type_2")
'Trọng điểm loại II'
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from geo.i18n import tr

__all__ = [
    "ACTIONS",
    "AUDIT_ACTIONS",
    "AUDIT_DETAILS",
    "AUDIT_ENTITIES",
    "BATCH_STATUSES",
    "CLASS_CHANGES",
    "COLUMNS",
    "EMERGING_CATEGORIES",
    "FACILITY_KINDS",
    "GISTAR_CATEGORIES",
    "HOTSPOT_STATUSES",
    "LIST_CHANGES",
    "LIST_STATUSES",
    "IMPORT_KINDS",
    "MEASURES",
    "MORAN_CATEGORIES",
    "NO_DATA_COLOR",
    "PALETTE",
    "QD28_CLASSES",
    "QD28_PROVINCE_CLASSES",
    "QD28_RESULTS",
    "RANK_CRITERIA",
    "ROLES",
    "ROUTE_SCOPES",
    "SCHEMES",
    "TARGET_STATUSES",
    "Term",
    "Vocabulary",
    "palette",
]


@dataclass(frozen=True)
class Term:
    """One code of a vocabulary.

    Attributes
    ----------
    id : str
        The code stored and typed in files (``"in_transformation"``).
    vi, en : str
        Label in Vietnamese and English.
    short_vi, short_en : str
        Short label for legends and narrow columns (empty: same as the label).
    color : str
        Fill or symbol colour (``#rrggbb``), the same on screen and in print.
    shape : str
        Marker shape for point symbols: ``square``, ``diamond``, ``circle``,
        ``triangle`` (empty where the term is not drawn as a point).
    mark : str
        A text mark that needs no emoji font (``"▲"``, ``"✓"``), for tables.
    """

    id: str
    vi: str
    en: str
    short_vi: str = ""
    short_en: str = ""
    color: str = ""
    shape: str = ""
    mark: str = ""

    def label(self, lang: str = "vi") -> str:
        """Label in the language."""
        return tr(self.vi, self.en, lang)

    def short(self, lang: str = "vi") -> str:
        """Short label in the language (the label when no short one is set)."""
        return tr(self.short_vi or self.vi, self.short_en or self.en, lang)


class Vocabulary(Mapping[str, Term]):
    """An ordered set of terms, looked up by id.

    Parameters
    ----------
    name : str
        What the codes are (used in messages: ``"trạng thái"``/``"status"``).
    terms : Term
        The terms, in display order.
    """

    def __init__(self, name: tuple[str, str], *terms: Term) -> None:
        self.name = name
        self._terms = {t.id: t for t in terms}

    def __getitem__(self, key: str) -> Term:
        return self._terms[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._terms)

    def __len__(self) -> int:
        return len(self._terms)

    @property
    def ids(self) -> tuple[str, ...]:
        """Every id, in display order."""
        return tuple(self._terms)

    def label(self, code: str, lang: str = "vi") -> str:
        """Label of ``code``; an unknown code is shown as it is (never an exception)."""
        t = self._terms.get(code)
        return t.label(lang) if t else str(code)

    def short(self, code: str, lang: str = "vi") -> str:
        """Short label of ``code`` (unknown codes as they are)."""
        t = self._terms.get(code)
        return t.short(lang) if t else str(code)

    def color(self, code: str, default: str = "#999999") -> str:
        """Colour of ``code`` (``default`` for unknown codes or terms without one)."""
        t = self._terms.get(code)
        return (t.color or default) if t else default

    def colors(self) -> dict[str, str]:
        """``{id: colour}`` of the terms that have one."""
        return {k: t.color for k, t in self._terms.items() if t.color}

    def labels(self, lang: str = "vi") -> dict[str, str]:
        """``{id: label}`` in the language."""
        return {k: t.label(lang) for k, t in self._terms.items()}

    def pairs(self) -> dict[str, tuple[str, str]]:
        """``{id: (vi, en)}``."""
        return {k: (t.vi, t.en) for k, t in self._terms.items()}

    def choices(self, lang: str = "vi") -> str:
        """``"id (label), …"`` listing the allowed codes, for messages."""
        return ", ".join(f"{k} ({t.label(lang)})" for k, t in self._terms.items())


#: Colour of a commune without data, on screen and in print.
NO_DATA_COLOR = "#d9d9d9"

#: Sequential palette of choropleth classes (light → dark), on screen and in print.
PALETTE: tuple[str, ...] = ("#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704", "#4a1402",
                            "#2b0a01")


def palette(k: int) -> list[str]:
    """``k`` distinct colours of :data:`PALETTE`, light to dark, for ``k`` ordered classes.

    Up to five classes take the ColorBrewer "Oranges" steps from the lightest to
    ``#7f2704`` (neighbouring classes stay easy to tell apart on screen and on
    paper); six and seven classes add the two darkest colours. One class takes
    the middle orange (not the near-white of the lightest class).

    Raises
    ------
    ValueError
        For more classes than :data:`PALETTE` has colours.

    Examples
    --------
    >>> palette(3)
    ['#fff5eb', '#fd8d3c', '#7f2704']
    >>> palette(5) == list(PALETTE[:5]) and len(set(palette(7))) == 7
    True
    """
    import numpy as np

    if k > len(PALETTE):
        raise ValueError(f"at most {len(PALETTE)} classes have distinct colours, not {k}")
    if k == 1:
        return [PALETTE[2]]
    idx = np.linspace(0, max(4, k - 1), max(k, 0)).round().astype(int)
    return [PALETTE[i] for i in idx]


#: Status of a commune designated under a transformation plan (2021–2025 plans).
HOTSPOT_STATUSES = Vocabulary(
    ("trạng thái", "status"),
    Term("designated", "Được xác định là địa bàn trọng điểm", "Designated",
         "Trọng điểm", "Designated", color="#b30000", mark="●"),
    Term("in_transformation", "Đang chuyển hóa", "In transformation",
         color="#e6550d", mark="◐"),
    Term("transformed", "Đã chuyển hóa", "Transformed", color="#2c7fb8", mark="✓"),
    Term("relapsed", "Tái phức tạp", "Relapsed", color="#67000d", mark="▲"),
    Term("removed", "Đưa ra khỏi danh sách", "Removed", "Đã đưa ra", "Removed",
         color="#636363", mark="–"),
)

#: Kinds of facility shown on maps.
FACILITY_KINDS = Vocabulary(
    ("loại cơ sở", "facility kind"),
    Term("treatment_facility", "Cơ sở cai nghiện ma túy", "Drug treatment facility",
         "Cơ sở cai nghiện", "Treatment facility", color="#1f4e9c", shape="square"),
    Term("methadone", "Cơ sở điều trị Methadone", "Methadone point",
         "Điểm điều trị Methadone", "Methadone point", color="#7b2fa0", shape="diamond"),
    Term("counselling", "Điểm tư vấn, hỗ trợ cai nghiện", "Counselling point",
         "Điểm tư vấn", "Counselling point", color="#138a36", shape="circle"),
    Term("club", "Câu lạc bộ sau cai", "Post-treatment club", "Câu lạc bộ", "Club",
         color="#c77700", shape="triangle"),
)

#: Classes of Quyết định 28/2025/QĐ-TTg, with the two outcomes that are not a class.
QD28_CLASSES = Vocabulary(
    ("loại địa bàn", "class"),
    Term("type_1", "Trọng điểm loại I", "Key area type I", "Loại I", "Type I",
         color="#a50f15", mark="I"),
    Term("type_2", "Trọng điểm loại II", "Key area type II", "Loại II", "Type II",
         color="#ef3b2c", mark="II"),
    Term("type_3", "Trọng điểm loại III", "Key area type III", "Loại III", "Type III",
         color="#fc9272", mark="III"),
    Term("drug_free", "Không ma túy", "Drug-free", color="#31a354", mark="✓"),
    Term("none", "Không thuộc loại nào", "None", "Không xếp loại", "None",
         color="#f0f0f0", mark="–"),
    Term("undetermined", "Chưa đủ số liệu", "Not enough data", color=NO_DATA_COLOR,
         mark="?"),
)

#: The province's own class under QĐ 28/2025, Điều 5 (at least 4 of 6 criteria).
QD28_PROVINCE_CLASSES = Vocabulary(
    ("loại địa bàn cấp tỉnh", "province class"),
    Term("key_area", "Tỉnh trọng điểm phức tạp về ma túy", "Key complex drug province",
         "Trọng điểm", "Key area", color="#a50f15", mark="!"),
    Term("not_key_area", "Không thuộc tỉnh trọng điểm", "Not a key province", "Không",
         "No", color="#f0f0f0", mark="–"),
    Term("undetermined", "Chưa đủ số liệu", "Not enough data", color=NO_DATA_COLOR, mark="?"),
)

#: The result of one QĐ 28/2025 criterion for a unit; missing data is never "not met".
QD28_RESULTS = Vocabulary(
    ("kết quả tiêu chí", "criterion result"),
    Term("met", "Đạt", "Met", color="#a50f15", mark="✓"),
    Term("not_met", "Không đạt", "Not met", color="#f0f0f0", mark="–"),
    Term("missing", "Thiếu số liệu", "Missing data", color=NO_DATA_COLOR, mark="?"),
)

#: How a class changed between two assessment years.
CLASS_CHANGES = Vocabulary(
    ("thay đổi", "change"),
    Term("down", "Chuyển loại giảm", "Moved down", color="#1a9850", mark="▼"),
    Term("drug_free", "Trở thành không ma túy", "Became drug-free", color="#006837", mark="✓"),
    Term("same", "Giữ nguyên", "Unchanged", color="#f7f7f7", mark="="),
    Term("up", "Tái phức tạp (tăng loại)", "Relapsed (moved up)", color="#d73027", mark="▲"),
    Term("new", "Mới đưa vào danh sách", "Added to the list", color="#fc8d59", mark="+"),
    Term("removed", "Đưa ra khỏi danh sách", "Removed from the list", color="#91bfdb",
         mark="−"),
    Term("unknown", "Chưa đủ số liệu", "Not enough data", color=NO_DATA_COLOR, mark="?"),
)

#: Status of a province's QĐ 28/2025 list for an assessment year.
LIST_STATUSES = Vocabulary(
    ("trạng thái danh sách", "list status"),
    Term("draft", "Dự thảo — chưa phê duyệt", "Draft — not approved", "Dự thảo", "Draft",
         color="#fdae61", mark="✎"),
    Term("approved", "Đã phê duyệt", "Approved", color="#1a9850", mark="✓"),
)

#: How a commune's place on the list of key communes (types I–III) changed between two
#: years (Điều 9: the province "đưa vào, đưa ra khỏi danh sách").
LIST_CHANGES = Vocabulary(
    ("thay đổi danh sách", "list change"),
    Term("added", "Đưa vào danh sách", "Added to the list", color="#d73027", mark="+"),
    Term("removed", "Đưa ra khỏi danh sách", "Removed from the list", color="#1a9850",
         mark="−"),
    Term("down", "Chuyển loại giảm", "Moved down", color="#91cf60", mark="▼"),
    Term("up", "Chuyển loại tăng", "Moved up", color="#fc8d59", mark="▲"),
    Term("same", "Giữ nguyên loại", "Unchanged", color="#f7f7f7", mark="="),
    Term("outside", "Không thuộc danh sách cả hai năm", "Not on the list either year",
         color="#ffffff", mark=""),
    Term("unknown", "Chưa đủ số liệu", "Not enough data", color=NO_DATA_COLOR, mark="?"),
)

#: Scope of a key drug route (QĐ 28/2025 Điều 3, 4.1.đ, 5.6).
ROUTE_SCOPES = Vocabulary(
    ("phạm vi tuyến", "route scope"),
    Term("intra", "Tuyến nội tỉnh", "Intra-provincial route", "Nội tỉnh", "Intra-provincial"),
    Term("inter", "Tuyến liên tỉnh", "Inter-provincial route", "Liên tỉnh", "Inter-provincial"),
)

#: How a figure is shown on a map.
MEASURES = Vocabulary(
    ("cách tính", "measure"),
    Term("count", "Số lượng", "Count"),
    Term("rate", "Tỷ lệ trên 10.000 dân", "Rate per 10,000 residents"),
    Term("eb_rate", "Tỷ lệ làm trơn Bayes thực nghiệm (trên 10.000 dân)",
         "Empirical Bayes smoothed rate (per 10,000)"),
)

#: Choropleth classification schemes (mapclassify classifiers, see ``layers.classes``).
SCHEMES = Vocabulary(
    ("phân lớp", "classification"),
    Term("quantiles", "Phân vị (số xã đều nhau)", "Quantiles"),
    Term("natural_breaks", "Ngắt tự nhiên (Jenks)", "Natural breaks (Jenks)"),
    Term("equal_interval", "Khoảng đều", "Equal interval"),
)

#: Account roles.
ROLES = Vocabulary(
    ("vai trò", "role"),
    Term("viewer", "Lãnh đạo (chỉ xem)", "Leadership (view only)"),
    Term("planner", "Cán bộ kế hoạch", "Planner"),
    Term("data_officer", "Cán bộ nhập liệu", "Data officer"),
    Term("admin", "Quản trị hệ thống", "Administrator"),
)

#: What a role may be allowed to do (the label completes "may …").
ACTIONS = Vocabulary(
    ("thao tác", "action"),
    Term("view", "xem bản đồ, số liệu", "view maps and figures"),
    Term("export", "xuất bản đồ, báo cáo, số liệu", "export maps, briefs and figures"),
    Term("analyze", "phân tích, chọn địa bàn", "run analyses and targeting"),
    Term("approve", "lập danh sách phân loại QĐ 28 và ghi nhận phê duyệt",
         "prepare the QĐ 28 list and record its approval"),
    Term("import", "nhập dữ liệu", "import data"),
    Term("edit", "sửa dữ liệu", "edit data"),
    Term("undo", "hoàn tác lần nhập", "undo imports"),
    Term("manage_users", "quản lý tài khoản", "manage user accounts"),
    Term("audit", "xem nhật ký thay đổi", "read the audit log"),
    Term("backup", "sao lưu, phục hồi dữ liệu", "back up and restore data"),
    Term("setup", "khởi tạo, nâng cấp cơ sở dữ liệu, nạp dữ liệu mẫu",
         "initialise or upgrade the database, load the demo"),
)

#: What the audit log records (the log keeps the codes; unknown codes are shown as they are).
AUDIT_ACTIONS = Vocabulary(
    ("thao tác", "action"),
    Term("import", "nhập dữ liệu", "import"),
    Term("undo", "hoàn tác lần nhập", "undo import"),
    Term("approve", "ghi nhận phê duyệt danh sách QĐ 28", "record a QĐ 28 list approval"),
    Term("create", "tạo mới", "create"),
    Term("update", "cập nhật", "update"),
    Term("login", "đăng nhập", "log in"),
    Term("logout", "đăng xuất", "log out"),
    Term("login_failed", "đăng nhập sai", "failed login"),
    Term("login_refused", "từ chối đăng nhập (đang khóa)", "login refused (locked)"),
    Term("lock", "khóa tài khoản", "account locked"),
    Term("passwd", "đổi mật khẩu", "password changed"),
    Term("disable", "vô hiệu hóa tài khoản", "account disabled"),
    Term("enable", "kích hoạt lại tài khoản", "account enabled"),
    Term("revoke", "thu hồi mã truy cập", "token revoked"),
    Term("backup", "sao lưu", "backup"),
    Term("restore", "phục hồi", "restore"),
)

#: What an import batch brought in (``import_batches.kind``); the demo is the base load.
IMPORT_KINDS = Vocabulary(
    ("loại dữ liệu", "kind of data"),
    Term("indicators", "Số liệu xã", "Commune figures"),
    Term("boundaries", "Ranh giới xã", "Commune boundaries"),
    Term("incidents", "Vụ việc (điểm)", "Incidents (points)"),
    Term("facilities", "Cơ sở điều trị, tư vấn", "Facilities"),
    Term("hotspots", "Địa bàn trọng điểm", "Hotspot communes"),
    Term("population", "Dân số (ảnh raster)", "Population (raster)"),
    Term("demo", "Dữ liệu minh họa (nạp ban đầu)", "Demo data (base load)"),
    Term("qd28_list", "Danh sách QĐ 28 (dự thảo, loại điều chỉnh)",
         "QĐ 28 list (draft, manual classes)"),
    Term("qd28_approval", "Phê duyệt danh sách QĐ 28", "QĐ 28 list approval"),
    Term("qd28_settings", "Cài đặt QĐ 28 của tỉnh", "Province QĐ 28 settings"),
    Term("qd28_route", "Tuyến trọng điểm về ma túy", "Key drug route"),
)

#: Whether an import batch is in use or was undone.
BATCH_STATUSES = Vocabulary(
    ("tình trạng", "status"),
    Term("active", "Đang dùng", "In use", mark="●"),
    Term("undone", "Đã hoàn tác", "Undone", mark="↶"),
)

#: What an audit entry is about (``audit_log.entity``; the import kinds too).
AUDIT_ENTITIES = Vocabulary(
    ("đối tượng", "object"),
    *IMPORT_KINDS.values(),
    Term("user", "Tài khoản", "Account"),
    Term("api_token", "Mã truy cập", "API token"),
    Term("database", "Cơ sở dữ liệu", "Database"),
    Term("hotspot", "Địa bàn trọng điểm", "Hotspot commune"),
    Term("facility", "Cơ sở", "Facility"),
    Term("crosswalk", "Bảng chuyển đổi đơn vị hành chính", "Units crosswalk"),
    Term("drug_route", "Tuyến trọng điểm về ma túy", "Key drug route"),
)

#: Keys of an audit entry's details (unknown keys are shown as they are).
AUDIT_DETAILS = Vocabulary(
    ("chi tiết", "detail"),
    Term("name", "tên", "name"),
    Term("kind", "loại", "kind"),
    Term("role", "vai trò", "role"),
    Term("province", "tỉnh", "province"),
    Term("district", "huyện", "district"),
    Term("file", "tệp", "file"),
    Term("batch_id", "lần nhập", "batch"),
    Term("values", "số liệu", "values"),
    Term("restored", "số liệu khôi phục", "values restored"),
    Term("boundaries", "ranh giới", "boundaries"),
    Term("rows", "số dòng", "rows"),
    Term("method", "cách tính", "method"),
    Term("attempts", "lần sai", "failed attempts"),
    Term("reason", "lý do", "reason"),
    Term("minutes", "số phút", "minutes"),
    Term("account", "tài khoản", "account"),
    Term("note", "ghi chú", "note"),
    Term("revision", "phiên bản lược đồ", "schema revision"),
    Term("unit_code", "mã xã", "commune code"),
    Term("edition", "đơn vị hành chính", "units"),
    Term("status", "trạng thái", "status"),
    Term("locked", "đang khóa", "locked"),
    Term("tables", "bảng", "tables"),
    Term("reset", "dựng lại, hoàn tác các lần nhập", "rebuilt, undoing the batches"),
    Term("unit", "mã xã", "commune code"),
    Term("events", "số mốc trạng thái", "status events"),
    Term("text", "nội dung", "text"),
    Term("value", "giá trị", "value"),
    Term("year", "năm", "year"),
    Term("decision_no", "số quyết định", "decision no."),
    Term("decision_date", "ngày quyết định", "decision date"),
    Term("entries", "số xã", "communes"),
    Term("communes", "các xã", "communes"),
    Term("previous", "trước đó", "before"),
    Term("scope", "phạm vi", "scope"),
    Term("cutoff", "ngày chốt kỳ", "cut-off day"),
    Term("target_share", "mục tiêu tỷ lệ xã không ma túy", "drug-free share target"),
    Term("target_year", "năm đạt mục tiêu", "target year"),
    Term("target_source", "nguồn mục tiêu", "target source"),
    Term("overrides", "điều chỉnh tiêu chí", "rule overrides"),
)

#: Criteria of the targeting ranking (:func:`geo.analysis.rank`), in display order.
RANK_CRITERIA = Vocabulary(
    ("tiêu chí", "criterion"),
    Term("rate", "Tỷ lệ trên 10.000 dân", "Rate per 10,000", "Tỷ lệ", "Rate"),
    Term("trend", "Xu hướng tăng qua các kỳ", "Rising trend", "Xu hướng", "Trend"),
    Term("hotspot", "Điểm nóng theo thời gian", "Emerging hot spot", "Điểm nóng", "Hot spot"),
    Term("classification", "Phân loại QĐ 28/2025", "QĐ 28/2025 class", "Phân loại QĐ 28",
         "QĐ 28 class"),
    Term("distance", "Xa cơ sở điều trị/Methadone", "Far from treatment/Methadone",
         "Xa cơ sở", "Distance"),
    Term("designation", "Đang là địa bàn trọng điểm", "Currently designated",
         "Đang là trọng điểm", "Designated"),
)

#: Column headers of the result tables people open in a spreadsheet (the CLI's and the
#: pages' Excel files); a column without a term keeps its code.
COLUMNS = Vocabulary(
    ("cột", "column"),
    Term("rank", "Hạng", "Rank"),
    Term("code", "Mã xã", "Commune code"),
    Term("name", "Tên xã", "Commune"),
    Term("district_name", "Huyện (trước 01/7/2025)", "District (before 1 Jul 2025)"),
    Term("score", "Điểm (0–100)", "Score (0–100)"),
    Term("rate", "Tỷ lệ trên 10.000 dân", "Rate per 10,000"),
    Term("trend_tau", "Hệ số xu hướng (Mann-Kendall)", "Trend coefficient (Mann-Kendall)"),
    Term("emerging", "Điểm nóng theo thời gian", "Emerging hot spot"),
    Term("klass", "Phân loại QĐ 28/2025", "QĐ 28/2025 class"),
    Term("distance_km", "Đến cơ sở điều trị/Methadone gần nhất (km)",
         "To the nearest treatment/Methadone (km)"),
    Term("designation", "Tình trạng trọng điểm", "Designation"),
    Term("flag_label", "Đề xuất", "Suggestion"),
    Term("explanation", "Giải thích", "Explanation"),
    Term("value", "Giá trị", "Value"),
    Term("z", "Điểm z (Gi*)", "z-score (Gi*)"),
    Term("p_sim", "Giá trị p (hoán vị)", "p-value (permutations)"),
    Term("fdr_significant", "Có ý nghĩa sau hiệu chỉnh FDR", "Significant after FDR"),
    Term("category", "Mã loại", "Category code"),
    Term("category_label", "Loại", "Category"),
    Term("moran_label", "Cụm Moran cục bộ", "Local Moran cluster"),
    Term("n_hot", "Số kỳ là điểm nóng", "Periods hot"),
    Term("n_cold", "Số kỳ là điểm lạnh", "Periods cold"),
    Term("tau", "Hệ số xu hướng (Mann-Kendall)", "Trend coefficient (Mann-Kendall)"),
    Term("trend_p", "Giá trị p của xu hướng", "p-value of the trend"),
    Term("status", "Mã tình trạng", "Status code"),
    Term("status_label", "Tình trạng", "Status"),
    Term("since", "Từ ngày", "Since"),
    Term("verdict", "Đánh giá", "Verdict"),
    Term("meets", "Đủ điều kiện", "Meets the conditions"),
    Term("reasons", "Lý do", "Reasons"),
    Term("explain_vi", "Giải thích", "Explanation (Vietnamese)"),
    Term("explain_en", "Giải thích (tiếng Anh)", "Explanation"),
    Term("treatment_facility_km", "Đến cơ sở cai nghiện gần nhất (km)",
         "To the nearest treatment facility (km)"),
    Term("methadone_km", "Đến cơ sở Methadone gần nhất (km)", "To the nearest Methadone (km)"),
    Term("counselling_km", "Đến điểm tư vấn gần nhất (km)",
         "To the nearest counselling point (km)"),
    Term("club_km", "Đến câu lạc bộ sau cai gần nhất (km)", "To the nearest club (km)"),
    Term("treatment_facility_cost_km", "Cơ sở cai nghiện: quãng đường tương đương theo địa "
         "hình (km)", "Treatment facility: terrain-equivalent km"),
    Term("methadone_cost_km", "Methadone: quãng đường tương đương theo địa hình (km)",
         "Methadone: terrain-equivalent km"),
    Term("counselling_cost_km", "Điểm tư vấn: quãng đường tương đương theo địa hình (km)",
         "Counselling point: terrain-equivalent km"),
    Term("club_cost_km", "Câu lạc bộ: quãng đường tương đương theo địa hình (km)",
         "Club: terrain-equivalent km"),
)

#: Progress of a plan target.
TARGET_STATUSES = Vocabulary(
    ("tiến độ", "progress"),
    Term("on_track", "Đúng tiến độ", "On track", color="#1a9850", mark="✓"),
    Term("at_risk", "Có nguy cơ chậm", "At risk", color="#fdae61", mark="!"),
    Term("off_track", "Chậm tiến độ", "Off track", color="#d73027", mark="✗"),
    Term("no_data", "Chưa có số liệu", "No data", color=NO_DATA_COLOR, mark="?"),
)

#: Getis-Ord Gi* categories of one period.
GISTAR_CATEGORIES = Vocabulary(
    ("điểm nóng", "hot spot"),
    Term("hot99", "Điểm nóng (99%)", "Hot spot (99%)", color="#b2182b"),
    Term("hot95", "Điểm nóng (95%)", "Hot spot (95%)", color="#ef8a62"),
    Term("hot90", "Điểm nóng (90%)", "Hot spot (90%)", color="#fddbc7"),
    Term("none", "Không có ý nghĩa thống kê", "Not significant", color="#f7f7f7"),
    Term("cold90", "Điểm lạnh (90%)", "Cold spot (90%)", color="#d1e5f0"),
    Term("cold95", "Điểm lạnh (95%)", "Cold spot (95%)", color="#67a9cf"),
    Term("cold99", "Điểm lạnh (99%)", "Cold spot (99%)", color="#2166ac"),
)

#: Local Moran's I quadrants.
MORAN_CATEGORIES = Vocabulary(
    ("cụm", "cluster"),
    Term("HH", "Cao – Cao (cụm cao)", "High – High", color="#d7191c"),
    Term("HL", "Cao – Thấp (cao giữa vùng thấp)", "High – Low", color="#fdae61"),
    Term("LH", "Thấp – Cao (thấp giữa vùng cao)", "Low – High", color="#abd9e9"),
    Term("LL", "Thấp – Thấp (cụm thấp)", "Low – Low", color="#2c7bb6"),
    Term("ns", "Không có ý nghĩa thống kê", "Not significant", color="#f7f7f7"),
)

#: Emerging hot-spot categories (Gi* per period + Mann-Kendall trend).
EMERGING_CATEGORIES = Vocabulary(
    ("xu hướng điểm nóng", "emerging pattern"),
    Term("new_hot", "Điểm nóng mới", "New hot spot", color="#fdae61"),
    Term("consecutive_hot", "Điểm nóng liên tiếp", "Consecutive hot spot", color="#f46d43"),
    Term("intensifying_hot", "Điểm nóng gia tăng", "Intensifying hot spot", color="#a50026"),
    Term("persistent_hot", "Điểm nóng dai dẳng", "Persistent hot spot", color="#d73027"),
    Term("diminishing_hot", "Điểm nóng suy giảm", "Diminishing hot spot", color="#fee090"),
    Term("sporadic_hot", "Điểm nóng rải rác", "Sporadic hot spot", color="#fdd49e"),
    Term("oscillating_hot", "Điểm nóng dao động", "Oscillating hot spot", color="#f4a582"),
    Term("historical_hot", "Điểm nóng trước đây", "Historical hot spot", color="#bababa"),
    Term("new_cold", "Điểm lạnh mới", "New cold spot", color="#abd9e9"),
    Term("consecutive_cold", "Điểm lạnh liên tiếp", "Consecutive cold spot", color="#74add1"),
    Term("intensifying_cold", "Điểm lạnh gia tăng", "Intensifying cold spot", color="#313695"),
    Term("persistent_cold", "Điểm lạnh dai dẳng", "Persistent cold spot", color="#4575b4"),
    Term("diminishing_cold", "Điểm lạnh suy giảm", "Diminishing cold spot", color="#e0f3f8"),
    Term("sporadic_cold", "Điểm lạnh rải rác", "Sporadic cold spot", color="#c6dbef"),
    Term("oscillating_cold", "Điểm lạnh dao động", "Oscillating cold spot", color="#92c5de"),
    Term("historical_cold", "Điểm lạnh trước đây", "Historical cold spot", color="#d9d9d9"),
    Term("no_pattern", "Không có xu hướng", "No pattern", color="#f7f7f7"),
)
