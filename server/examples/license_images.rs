//! Writes the generated license images the end-to-end tests upload:
//! `<USCC>-perspective.jpg` for each demo license, and `<USCC>-phone.jpg` (4000×3000, several
//! MB, as a phone camera saves it) for 星河云图.
//!
//! ```text
//! cargo run -p server --example license_images -- DIR
//! ```

#[path = "../tests/support/license_image.rs"]
mod license_image;

use std::path::PathBuf;

use license_image::{demo_licenses, phone_photo, render, Fonts, Variant};

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).expect("usage: license_images DIR"));
    std::fs::create_dir_all(&dir).expect("creating the output dir");
    let fonts = Fonts::load();
    for spec in demo_licenses() {
        let file = dir.join(format!("{}-perspective.jpg", spec.reg_num));
        std::fs::write(&file, render(&spec, Variant::Perspective, &fonts))
            .expect("writing an image");
        println!("{}", file.display());
        if spec.reg_num == "91330106MA2KX7Q890" {
            let file = dir.join(format!("{}-phone.jpg", spec.reg_num));
            std::fs::write(&file, phone_photo(&spec, &fonts)).expect("writing an image");
            println!("{}", file.display());
        }
    }
}
