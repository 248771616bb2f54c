//! The JS-SDK signature of `wx.config` and `wx.agentConfig` (providers.md §1d).

use sha1::{Digest, Sha1};

/// `sha1("jsapi_ticket=…&noncestr=…&timestamp=…&url=…")`, the url without its `#` part.
pub fn signature(ticket: &str, nonce_str: &str, timestamp: i64, url: &str) -> String {
    let url = url.split('#').next().unwrap_or(url);
    let text =
        format!("jsapi_ticket={ticket}&noncestr={nonce_str}&timestamp={timestamp}&url={url}");
    hex::encode(Sha1::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::signature;

    #[test]
    fn the_official_vector() {
        let ticket = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg";
        let want = "0f9de62fce790f9a083d5c99e95740ceb90c27ed";
        let url = "http://mp.weixin.qq.com?params=value";
        assert_eq!(signature(ticket, "Wm3WZYTPz0wzccnW", 1414587457, url), want);
        assert_eq!(
            signature(
                ticket,
                "Wm3WZYTPz0wzccnW",
                1414587457,
                &format!("{url}#frag")
            ),
            want
        );
    }
}
