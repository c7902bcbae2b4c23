//! Outbound routes: which number to dial, on which ports, for a Request-URI.

use crate::config::{Config, PortKindConfig, RouteConfig};

/// One compiled route.
#[derive(Debug, Clone)]
pub struct Route {
    config: RouteConfig,
    ports: Vec<u8>,
}

/// The route table, first match wins.
#[derive(Debug, Clone)]
pub struct Routes {
    routes: Vec<Route>,
}

/// Why a Request-URI cannot be routed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RouteError {
    /// The user part has characters that cannot be dialled.
    #[error("{0:?} is not a dialable number")]
    NotDialable(String),
    /// No route matches.
    #[error("no route for {0:?}")]
    NoRoute(String),
}

/// What to do with a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The digits to dial.
    pub number: String,
    /// Ports that may carry it, in order of preference.
    pub ports: Vec<u8>,
    /// The route's command table, if it names one.
    pub command_table: Option<String>,
    /// The SIP URI to bridge to instead of a line (`[[routes]] uri`).
    pub uri: Option<String>,
}

impl Routes {
    /// Compile the configured routes.
    pub fn from_config(config: &Config) -> Self {
        let fxo: Vec<u8> = config
            .ports
            .iter()
            .filter(|p| p.kind == PortKindConfig::Fxo)
            .map(|p| p.port)
            .collect();
        Routes {
            routes: config
                .routes
                .iter()
                .map(|r| Route {
                    ports: r.ports.clone().unwrap_or_else(|| fxo.clone()),
                    config: r.clone(),
                })
                .collect(),
        }
    }

    /// Route a Request-URI user part.
    pub fn decide(&self, user: &str) -> Result<Decision, RouteError> {
        let dialable = |s: &str| s.chars().all(|c| dsp::dtmf::Digit::from_char(c).is_some());
        let route = self
            .routes
            .iter()
            .find(|r| user.starts_with(&r.config.prefix))
            .ok_or_else(|| RouteError::NoRoute(user.to_string()))?;
        let number = match &route.config.destination {
            Some(fixed) => fixed.clone(),
            None => {
                let rest = user.get(route.config.strip..).unwrap_or("");
                format!("{}{rest}", route.config.prepend)
            }
        };
        if let Some(uri) = &route.config.uri {
            return Ok(Decision {
                number,
                ports: Vec::new(),
                command_table: route.config.command_table.clone(),
                uri: Some(uri.clone()),
            });
        }
        if number.is_empty() || !dialable(&number) {
            return Err(RouteError::NotDialable(user.to_string()));
        }
        Ok(Decision {
            number,
            ports: route.ports.clone(),
            command_table: route.config.command_table.clone(),
            uri: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes(toml: &str) -> Routes {
        let text = format!(
            "[sip]\nallow_unauthenticated = true\n[[ports]]\nport = 0\nkind = \"fxo\"\nani = \"1\"\n\
             [[ports]]\nport = 1\nkind = \"fxo\"\nani = \"2\"\n{toml}\n[simulation]\n"
        );
        let config = crate::config::parse(std::path::Path::new("t.toml"), &text).unwrap();
        Routes::from_config(&config)
    }

    #[test]
    fn first_matching_prefix_wins_and_rewrites() {
        let r = routes(
            "[[routes]]\nprefix = \"9\"\nstrip = 1\nprepend = \"0\"\nports = [1]\n\
             [[routes]]\nprefix = \"\"\n",
        );
        let d = r.decide("95551234").unwrap();
        assert_eq!(d.number, "05551234");
        assert_eq!(d.ports, vec![1]);
        let d = r.decide("1800").unwrap();
        assert_eq!(d.number, "1800");
        assert_eq!(d.ports, vec![0, 1]);
        assert!(matches!(r.decide("alice"), Err(RouteError::NotDialable(_))));
    }

    #[test]
    fn fixed_destination_and_no_route() {
        let r = routes("[[routes]]\nprefix = \"7\"\ndestination = \"1800\"\n");
        assert_eq!(r.decide("700").unwrap().number, "1800");
        assert!(matches!(r.decide("800"), Err(RouteError::NoRoute(_))));
    }

    #[test]
    fn uri_route_bridges_to_sip_without_ports() {
        let r = routes("[[routes]]\nprefix = \"5\"\nuri = \"sip:agent@127.0.0.1:5070\"\n");
        let d = r.decide("500").unwrap();
        assert_eq!(d.uri.as_deref(), Some("sip:agent@127.0.0.1:5070"));
        assert!(d.ports.is_empty());
    }
}
