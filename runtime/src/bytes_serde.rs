//! Serde for byte buffers as one byte string, for `#[serde(with = "crate::bytes_serde")]`.
//!
//! Serde's default treats a `Vec<u8>` as a sequence of numbers, which an encoder writes a byte
//! at a time: a saved window of megabytes was millions of writes (and of digest updates). In
//! bincode a byte string is the same bytes as that sequence (its length, then the bytes), so
//! files written either way read back either way.

use serde::de::{Deserializer, SeqAccess, Visitor};
use serde::Serializer;

pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_bytes(bytes)
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
    deserializer.deserialize_byte_buf(ByteBuf)
}

struct ByteBuf;

impl<'de> Visitor<'de> for ByteBuf {
    type Value = Vec<u8>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("bytes")
    }

    fn visit_bytes<E: serde::de::Error>(self, bytes: &[u8]) -> Result<Vec<u8>, E> {
        Ok(bytes.to_vec())
    }

    fn visit_byte_buf<E: serde::de::Error>(self, bytes: Vec<u8>) -> Result<Vec<u8>, E> {
        Ok(bytes)
    }

    /// Formats without byte strings (JSON) give a sequence of numbers.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
        // The length a format announces is not trusted for an allocation.
        let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(byte) = seq.next_element()? {
            bytes.push(byte);
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct AsSequence {
        name: String,
        bytes: Vec<u8>,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct AsByteString {
        name: String,
        #[serde(with = "super")]
        bytes: Vec<u8>,
    }

    #[test]
    fn bincode_writes_a_byte_string_as_it_wrote_the_sequence_and_reads_either() {
        let config = bincode::config::standard();
        let bytes: Vec<u8> = (0..=255).chain(0..300).map(|i| i as u8).collect();
        let old = AsSequence { name: "window1".into(), bytes: bytes.clone() };
        let new = AsByteString { name: "window1".into(), bytes };
        let old_encoded = bincode::serde::encode_to_vec(&old, config).unwrap();
        let new_encoded = bincode::serde::encode_to_vec(&new, config).unwrap();
        assert_eq!(old_encoded, new_encoded);
        let (read, _): (AsByteString, usize) = bincode::serde::decode_from_slice(&old_encoded, config).unwrap();
        assert_eq!(read, new);
    }

    #[test]
    fn json_reads_a_sequence_of_numbers() {
        let read: AsByteString = serde_json::from_str(r#"{"name":"n","bytes":[1,2,255]}"#).unwrap();
        assert_eq!(read.bytes, [1, 2, 255]);
        assert!(serde_json::from_str::<AsByteString>(r#"{"name":"n","bytes":[256]}"#).is_err());
    }
}
