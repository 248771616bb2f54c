//! CTC greedy decoding of the recognition model's output (`[batch, steps, classes]`
//! probabilities), as RapidOCR's `CTCLabelDecode`: argmax per step, collapse repeats, drop
//! the blank (class 0). Keeps each character's step, so callers know where along the line it
//! is.

/// The class table: `blank`, the dictionary from the model's `character` metadata (one
/// entry per line), then `" "` (PaddleOCR's `use_space_char`).
#[derive(Debug, Clone)]
pub struct Charset {
    classes: Vec<String>,
}

impl Charset {
    /// From the rec model's ONNX metadata value `character`.
    pub fn from_metadata(character: &str) -> Self {
        let mut classes = Vec::with_capacity(character.len() / 3 + 2);
        classes.push(String::new()); // blank
        classes.extend(character.lines().map(str::to_owned));
        classes.push(" ".to_owned());
        Self { classes }
    }

    /// Number of classes the model must output.
    pub fn len(&self) -> usize {
        self.classes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.classes.len() <= 2
    }

    pub fn get(&self, class: usize) -> Option<&str> {
        self.classes.get(class).map(String::as_str)
    }
}

/// One decoded line.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Decoded {
    pub text: String,
    /// Mean probability of the kept steps (0 when nothing was read).
    pub score: f32,
    /// For each `char` of `text`: the centre of its step as a fraction of all steps (0..1).
    pub positions: Vec<f32>,
}

/// Decodes one sequence: `probs` is `steps × classes`, row-major.
pub fn decode(probs: &[f32], steps: usize, classes: usize, charset: &Charset) -> Decoded {
    assert_eq!(probs.len(), steps * classes, "CTC output size");
    let mut out = Decoded::default();
    let mut prev = usize::MAX;
    let mut total = 0.0f32;
    let mut kept = 0usize;
    for t in 0..steps {
        let row = &probs[t * classes..(t + 1) * classes];
        let (idx, p) = row
            .iter()
            .copied()
            .enumerate()
            .fold(
                (0usize, f32::MIN),
                |best, (i, v)| if v > best.1 { (i, v) } else { best },
            );
        if idx != 0 && idx != prev {
            if let Some(s) = charset.get(idx) {
                let pos = (t as f32 + 0.5) / steps as f32;
                for c in s.chars() {
                    out.text.push(c);
                    out.positions.push(pos);
                }
                total += p;
                kept += 1;
            }
        }
        prev = idx;
    }
    out.score = if kept == 0 { 0.0 } else { total / kept as f32 };
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_hot(seq: &[usize], classes: usize, p: f32) -> Vec<f32> {
        let mut v = vec![(1.0 - p) / (classes - 1) as f32; seq.len() * classes];
        for (t, &c) in seq.iter().enumerate() {
            v[t * classes + c] = p;
        }
        v
    }

    #[test]
    fn charset_adds_blank_and_space() {
        let cs = Charset::from_metadata("a\nb\n名");
        assert_eq!(cs.len(), 5);
        assert_eq!(cs.get(0), Some(""));
        assert_eq!(cs.get(3), Some("名"));
        assert_eq!(cs.get(4), Some(" "));
    }

    #[test]
    fn collapses_repeats_and_drops_blanks() {
        let cs = Charset::from_metadata("a\nb\n名");
        // a a _ a b b _ _ 名 space
        let seq = [1, 1, 0, 1, 2, 2, 0, 0, 3, 4];
        let d = decode(&one_hot(&seq, 5, 0.9), seq.len(), 5, &cs);
        assert_eq!(d.text, "aab名 ");
        assert!((d.score - 0.9).abs() < 1e-5);
        assert_eq!(d.positions.len(), 5);
        assert!((d.positions[0] - 0.05).abs() < 1e-5);
        assert!((d.positions[3] - 0.85).abs() < 1e-5);
    }

    #[test]
    fn all_blank_is_empty_with_zero_score() {
        let cs = Charset::from_metadata("a");
        let d = decode(&one_hot(&[0, 0, 0], 3, 0.99), 3, 3, &cs);
        assert_eq!(d, Decoded::default());
    }
}
