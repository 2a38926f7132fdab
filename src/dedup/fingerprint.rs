//! Near-duplicate fingerprints: syndicated copies of one story (another site, another URL, a
//! retouched sentence, other tone placement) share a cluster id while different stories do not.
//!
//! One-permutation MinHash over 3-word shingles of the folded text (see `textfold`): each
//! shingle is hashed once and lands in one of [`SIZE`] buckets, each bucket keeps its minimum;
//! the share of equal buckets estimates the Jaccard similarity of two shingle sets, and at
//! [`MIN_SIMILARITY`] or more they are one story. For lookup,
//! the signature is cut into [`BANDS`] bands whose hashes the store indexes, so candidates are
//! found by equality (two texts with similarity 0.8 share a band with probability 0.99; at 0.3,
//! 0.06) and then verified on the whole signature. All hashing is spelled out here (FNV-1a and
//! SplitMix64), so stored fingerprints stay comparable across Rust versions.

/// Minimums in a signature.
pub const SIZE: usize = 64;
/// Bands the signature is cut into for indexed lookup (`SIZE / BANDS` minimums each).
pub const BANDS: usize = 16;
/// Bands two signatures must share before they are compared in full.
pub const MIN_SHARED_BANDS: usize = 2;
/// Estimated Jaccard similarity from which two texts are one story.
pub const MIN_SIMILARITY: f64 = 0.6;
/// Texts with fewer words get no fingerprint: too little to tell stories apart.
const MIN_WORDS: usize = 30;

/// A MinHash signature: per bucket, the top 32 bits of the minimum hash. Taking the top bits
/// keeps the order (the top bits of a minimum are the minimum of the top bits), and 32 bits
/// make a chance match between unrelated texts negligible at half the storage of 64.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature(pub [u32; SIZE]);

/// Size of a stored signature.
const BYTES: usize = SIZE * 4;

/// The stored minimum of one bucket from a 58-bit bucket value (`hash / SIZE`).
fn top32(v: u64) -> u32 {
    (v >> 26) as u32
}

fn fnv1a(bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

impl Signature {
    /// The signature of `folded` (text already passed through `textfold::fold_search`), or
    /// `None` when it is too short to fingerprint.
    pub fn of(folded: &str) -> Option<Self> {
        let words: Vec<&str> = crate::textfold::words(folded).collect();
        if words.len() < MIN_WORDS {
            return None;
        }
        let mut mins = [u64::MAX; SIZE];
        for shingle in words.windows(3) {
            let h = splitmix(fnv1a(shingle.iter().flat_map(|w| w.bytes().chain([0u8]))));
            let bucket = (h % SIZE as u64) as usize;
            mins[bucket] = mins[bucket].min(h / SIZE as u64);
        }
        let filled = mins.map(|m| m != u64::MAX);
        let mut out = mins.map(top32);
        if let Some(first) = filled.iter().position(|f| *f) {
            for i in 0..SIZE {
                let j = (first + SIZE - i) % SIZE;
                if !filled[j] {
                    out[j] = out[(j + 1) % SIZE] ^ 0x5bd1_e995;
                }
            }
        }
        Some(Self(out))
    }

    /// Estimated Jaccard similarity of the two texts' shingle sets.
    pub fn similarity(&self, other: &Self) -> f64 {
        let same = self.0.iter().zip(&other.0).filter(|(a, b)| a == b).count();
        same as f64 / SIZE as f64
    }

    /// The indexed band keys; band number is mixed in so equal values in different bands differ.
    pub fn bands(&self) -> [i64; BANDS] {
        let rows = SIZE / BANDS;
        std::array::from_fn(|b| {
            let chunk = &self.0[b * rows..(b + 1) * rows];
            fnv1a(std::iter::once(b as u8).chain(chunk.iter().flat_map(|v| v.to_le_bytes()))) as i64
        })
    }

    /// Bytes for storage (little-endian 32-bit minimums).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    /// Reads stored bytes; `None` for a blob of the wrong size.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != BYTES {
            return None;
        }
        let mut mins = [0u32; SIZE];
        for (m, chunk) in mins.iter_mut().zip(bytes.chunks_exact(4)) {
            *m = u32::from_le_bytes(chunk.try_into().ok()?);
        }
        Some(Self(mins))
    }
}

/// Which stored story, if any, `sig` is a copy of: the most similar candidate at or above
/// [`MIN_SIMILARITY`], with its similarity. The store only loads candidates (stories sharing
/// at least [`MIN_SHARED_BANDS`] bands); the decision is made here, where the threshold is.
pub fn most_similar(
    sig: &Signature,
    candidates: impl IntoIterator<Item = (i64, Signature)>,
) -> Option<(i64, f64)> {
    let mut best: Option<(i64, f64)> = None;
    for (id, theirs) in candidates {
        let s = sig.similarity(&theirs);
        if s >= MIN_SIMILARITY && best.is_none_or(|(_, b)| s > b) {
            best = Some((id, s));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORY: &str = "Tòa án nhân dân tỉnh Kiên Giang vừa mở phiên tòa xét xử sơ thẩm vụ án \
        tham ô tài sản xảy ra tại Công ty cổ phần cấp thoát nước, các bị cáo bị truy tố về tội \
        vi phạm quy định về quản lý, sử dụng tài sản nhà nước gây thất thoát, lãng phí. Theo cáo \
        trạng, trong giai đoạn từ năm 2019 đến năm 2022 các bị cáo đã lập khống hồ sơ thanh toán \
        chi phí sửa chữa đường ống và hóa đơn vật tư với tổng số tiền hơn 12 tỷ đồng. Tại phiên \
        tòa, các bị cáo thừa nhận hành vi phạm tội như cáo trạng đã truy tố và đã khắc phục một \
        phần hậu quả.";

    fn sig(text: &str) -> Signature {
        Signature::of(&crate::textfold::fold_search(text)).unwrap()
    }

    const OTHER: &str = "Ủy ban nhân dân thành phố Đà Nẵng tổ chức hội nghị triển khai kế hoạch \
        phát triển du lịch biển năm 2024, tập trung thu hút khách quốc tế, nâng cao chất lượng \
        dịch vụ lưu trú và mở thêm các đường bay trực tiếp đến các thị trường trọng điểm như Hàn \
        Quốc, Nhật Bản và Ấn Độ trong những tháng cuối năm. Các tỉnh thành cũng đã có nhiều cố \
        gắng trong việc cải cách thủ tục hành chính, tạo thuận lợi cho người dân.";

    #[test]
    fn syndicated_copy_with_other_tones_and_an_edit_is_one_story() {
        let copy = STORY
            .replace("hóa đơn", "hoá đơn")
            .replace("Tòa án", "Toà án")
            .replace("12 tỷ đồng", "12,5 tỷ đồng");
        let (a, b) = (sig(STORY), sig(&copy));
        assert!(a.similarity(&b) >= MIN_SIMILARITY, "{}", a.similarity(&b));
        let shared = a
            .bands()
            .iter()
            .zip(b.bands())
            .filter(|(x, y)| *x == y)
            .count();
        assert!(shared >= MIN_SHARED_BANDS, "{shared} shared bands");
    }

    #[test]
    fn different_stories_are_not() {
        let (a, b) = (sig(STORY), sig(OTHER));
        assert!(a.similarity(&b) < 0.2, "{}", a.similarity(&b));
    }

    #[test]
    fn short_texts_get_none_and_bytes_round_trip() {
        assert_eq!(Signature::of("Tin ngắn."), None);
        let s = sig(STORY);
        assert_eq!(Signature::from_bytes(&s.to_bytes()), Some(s));
        assert_eq!(Signature::from_bytes(&[1, 2, 3]), None);
    }

    #[test]
    fn the_most_similar_copy_above_the_threshold_wins_and_others_are_no_match() {
        let me = sig(STORY);
        let near = sig(&STORY.replace("12 tỷ đồng", "12,5 tỷ đồng"));
        let far = sig(OTHER);
        assert_eq!(most_similar(&me, [(1, far.clone())]), None);
        let (id, s) = most_similar(&me, [(1, far), (2, near), (3, me.clone())]).unwrap();
        assert_eq!((id, s), (3, 1.0));
    }
}
