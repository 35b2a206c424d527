//! Editing insert chains: add, remove, reorder, bypass, route a sidechain and
//! set processor parameters, each checked so the session stays valid.

use std::collections::BTreeMap;

use thiserror::Error;

use super::validate::{ValidationError, validate};
use super::{ParamId, ParamInfo, Processor, ProcessorId, Session, StripParam, StripRef};

/// Why an edit was refused (the session is left as it was).
#[derive(Debug, Error, PartialEq)]
pub enum EditError {
    /// No such processor kind.
    #[error("there is no '{0}' processor; `mixdesk processors` lists the kinds")]
    UnknownKind(String),
    /// No such strip.
    #[error("{0} does not exist")]
    NoStrip(StripRef),
    /// No such processor.
    #[error("processor {0} does not exist")]
    NoProcessor(ProcessorId),
    /// The edit would make the session invalid (a routing loop, for example).
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

impl Session {
    /// A new processor of `kind` with a fresh id and every parameter at its
    /// default, not yet on any strip (see [`crate::edit::Edit::Processor`]).
    pub fn new_processor(&self, kind: &str) -> Result<Processor, EditError> {
        let spec = crate::dsp::kind(kind).ok_or_else(|| EditError::UnknownKind(kind.to_owned()))?;
        Ok(Processor {
            id: ProcessorId(self.next_id()),
            kind: spec.kind.to_owned(),
            bypassed: false,
            params: BTreeMap::new(),
            sidechain: None,
            sidechain_post_fader: false,
            state: None,
        })
    }

    /// Inserts a new processor of `kind` at its defaults into `strip`'s chain at
    /// `index` (clamped; `usize::MAX` appends) and returns its id.
    pub fn add_processor(
        &mut self,
        strip: StripRef,
        kind: &str,
        index: usize,
    ) -> Result<ProcessorId, EditError> {
        let spec = crate::dsp::kind(kind).ok_or_else(|| EditError::UnknownKind(kind.to_owned()))?;
        let id = ProcessorId(self.next_id());
        let chain = &mut self.strip_mut(strip).ok_or(EditError::NoStrip(strip))?.processors;
        let p = Processor {
            id,
            kind: spec.kind.to_owned(),
            bypassed: false,
            params: BTreeMap::new(),
            sidechain: None,
            sidechain_post_fader: false,
            state: None,
        };
        chain.insert(index.min(chain.len()), p);
        Ok(id)
    }

    /// The strip holding processor `id` and its position in that strip's chain.
    pub fn find_processor(&self, id: ProcessorId) -> Option<(StripRef, usize)> {
        let strips = self
            .tracks
            .iter()
            .map(|t| (StripRef::Track(t.id), &t.strip))
            .chain(self.buses.iter().map(|b| (StripRef::Bus(b.id), &b.strip)))
            .chain([(StripRef::Master, &self.master)]);
        for (r, strip) in strips {
            if let Some(i) = strip.processors.iter().position(|p| p.id == id) {
                return Some((r, i));
            }
        }
        None
    }

    /// Processor `id`.
    pub fn processor(&self, id: ProcessorId) -> Option<&Processor> {
        let (r, i) = self.find_processor(id)?;
        self.strip(r).map(|s| &s.processors[i])
    }

    /// Processor `id`, for editing.
    pub fn processor_mut(&mut self, id: ProcessorId) -> Option<&mut Processor> {
        let (r, i) = self.find_processor(id)?;
        self.strip_mut(r).map(|s| &mut s.processors[i])
    }

    /// Removes processor `id` and returns it.
    pub fn remove_processor(&mut self, id: ProcessorId) -> Result<Processor, EditError> {
        let (r, i) = self.find_processor(id).ok_or(EditError::NoProcessor(id))?;
        let strip = self.strip_mut(r).ok_or(EditError::NoStrip(r))?;
        Ok(strip.processors.remove(i))
    }

    /// Moves processor `id` to position `index` of `strip`'s chain (the same
    /// strip reorders it). Refused if the move would close a sidechain loop.
    pub fn move_processor(
        &mut self,
        id: ProcessorId,
        strip: StripRef,
        index: usize,
    ) -> Result<(), EditError> {
        if self.strip(strip).is_none() {
            return Err(EditError::NoStrip(strip));
        }
        let before = self.clone();
        let p = self.remove_processor(id)?;
        let chain = &mut self.strip_mut(strip).ok_or(EditError::NoStrip(strip))?.processors;
        chain.insert(index.min(chain.len()), p);
        self.keep_valid(before)
    }

    /// Bypasses processor `id` or brings it back.
    pub fn set_bypass(&mut self, id: ProcessorId, bypassed: bool) -> Result<(), EditError> {
        self.processor_mut(id).ok_or(EditError::NoProcessor(id))?.bypassed = bypassed;
        Ok(())
    }

    /// Keys processor `id` from `source` (by default after its trim and
    /// inserts, before its fader), or from its own input with `None`. Refused if it would make a loop.
    pub fn set_sidechain(&mut self, id: ProcessorId, source: Option<StripRef>) -> Result<(), EditError> {
        let before = self.clone();
        self.processor_mut(id).ok_or(EditError::NoProcessor(id))?.sidechain = source;
        self.keep_valid(before)
    }

    /// Takes processor `id`'s key after its source's fader (`true`) or
    /// before it.
    pub fn set_sidechain_post_fader(&mut self, id: ProcessorId, post: bool) -> Result<(), EditError> {
        self.processor_mut(id).ok_or(EditError::NoProcessor(id))?.sidechain_post_fader = post;
        Ok(())
    }

    /// Restores `before` if the session no longer validates.
    fn keep_valid(&mut self, before: Session) -> Result<(), EditError> {
        if let Err(e) = validate(self) {
            *self = before;
            return Err(e.into());
        }
        Ok(())
    }

    /// Name, unit, range, default and format of any parameter in this session.
    pub fn param_info(&self, id: ParamId) -> Option<ParamInfo> {
        match id {
            ParamId::Strip(r, p) => self.strip(r).map(|_| p.info()),
            ParamId::Send(send, p) => self.send(send).map(|_| p.info()),
            ParamId::Processor(pid, index) => {
                let spec = crate::dsp::kind(&self.processor(pid)?.kind)?;
                spec.params.get(usize::from(index)).copied()
            }
        }
    }

    /// The current value of any parameter in this session.
    pub fn param_value(&self, id: ParamId) -> Option<f64> {
        match id {
            ParamId::Strip(r, p) => self.strip(r).map(|s| StripParam::get(p, s)),
            ParamId::Send(send, p) => self.send(send).map(|s| match p {
                super::SendParam::Level => s.level_db.0,
                super::SendParam::Pan => s.pan.0,
            }),
            ParamId::Processor(pid, index) => {
                let p = self.processor(pid)?;
                let info = crate::dsp::kind(&p.kind)?.params.get(usize::from(index))?;
                Some(p.params.get(info.key).map_or(info.default, |v| info.clamp(*v)))
            }
        }
    }

    /// The `ParamId` of processor `id`'s parameter with stable key `key`.
    pub fn processor_param(&self, id: ProcessorId, key: &str) -> Option<ParamId> {
        let spec = crate::dsp::kind(&self.processor(id)?.kind)?;
        spec.param_index(key).map(|i| ParamId::Processor(id, i as u16))
    }

    /// Sets a processor parameter in the document (clamped). False if there is none.
    pub(crate) fn set_processor_param(&mut self, id: ProcessorId, index: u16, v: f64) -> bool {
        let Some(p) = self.processor_mut(id) else { return false };
        let Some(info) = crate::dsp::kind(&p.kind).and_then(|k| k.params.get(usize::from(index))) else {
            return false;
        };
        p.params.insert(info.key.to_owned(), info.clamp(v));
        true
    }

    fn send(&self, id: super::SendId) -> Option<&super::Send> {
        self.tracks
            .iter()
            .map(|t| &t.strip)
            .chain(self.buses.iter().map(|b| &b.strip))
            .chain([&self.master])
            .find_map(|s| s.sends.iter().find(|x| x.id == id))
    }
}
