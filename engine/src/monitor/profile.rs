//! `--monitor PROFILE`: monitor settings in words, such as `mono`,
//! `phone,mono`, `spotify` or `car,dim`.

use super::{Check, MonitorSettings, Platform, System};

impl MonitorSettings {
    /// Reads a profile: words separated by commas or `+`, each a check
    /// (stereo, mono, side, left, right, swap), `dim`, `mute`, a system
    /// (phone, laptop, earbuds, tv, car, club) or a platform (spotify, apple,
    /// youtube, amazon, tidal, deezer). At most one of each kind.
    pub fn from_profile(profile: &str) -> Result<MonitorSettings, String> {
        let mut s = MonitorSettings::default();
        let (mut check, mut system, mut platform) = (false, false, false);
        for word in profile.split([',', '+']).map(str::trim).filter(|w| !w.is_empty()) {
            let w = word.to_ascii_lowercase();
            let once = |seen: &mut bool, kind: &str| {
                if std::mem::replace(seen, true) {
                    Err(format!("the monitor profile '{profile}' names more than one {kind}; keep one"))
                } else {
                    Ok(())
                }
            };
            if let Some(c) = Check::ALL.into_iter().find(|c| c.key() == w) {
                once(&mut check, "check")?;
                s.check = c;
            } else if let Some(x) = System::ALL.into_iter().find(|x| x.key() == w) {
                once(&mut system, "system")?;
                s.system = Some(x);
            } else if let Some(p) = Platform::ALL.into_iter().find(|p| p.key() == w) {
                once(&mut platform, "platform")?;
                s.platform = Some(p);
            } else if w == "dim" {
                s.dim = true;
            } else if w == "mute" {
                s.mute = true;
            } else {
                return Err(format!(
                    "'{word}' in the monitor profile '{profile}' is not a monitor setting; {}",
                    words()
                ));
            }
        }
        Ok(s)
    }

    /// The settings as a profile (`stereo` when all are off).
    pub fn to_profile(&self) -> String {
        let mut words = Vec::new();
        if self.check != Check::Stereo || self.is_off() {
            words.push(self.check.key());
        }
        words.extend(self.system.map(System::key));
        words.extend(self.platform.map(Platform::key));
        if self.dim {
            words.push("dim");
        }
        if self.mute {
            words.push("mute");
        }
        words.join(",")
    }
}

fn words() -> String {
    let all: Vec<&str> = Check::ALL
        .iter()
        .map(|c| c.key())
        .chain(["dim", "mute"])
        .chain(System::ALL.iter().map(|s| s.key()))
        .chain(Platform::ALL.iter().map(|p| p.key()))
        .collect();
    format!("use words from: {}, joined by commas", all.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_read_back_and_refuse_what_is_not_a_setting() {
        let s = MonitorSettings::from_profile("Phone, mono+dim").unwrap();
        assert_eq!((s.check, s.system, s.dim, s.mute), (Check::Mono, Some(System::Phone), true, false));
        assert_eq!(MonitorSettings::from_profile(&s.to_profile()).unwrap(), s);
        assert_eq!(MonitorSettings::default().to_profile(), "stereo");
        let e = MonitorSettings::from_profile("mono,loud").unwrap_err();
        assert!(e.contains("'loud'") && e.contains("phone"), "{e}");
        assert!(MonitorSettings::from_profile("mono,side").unwrap_err().contains("more than one check"));
    }
}
