//! Mail delivery over SMTP with lettre, as Kapacitor's mailer sends: an HTML body in
//! quoted-printable, TLS when the server offers STARTTLS (from the start on port 465),
//! and one connection per server kept open between mails until it idles out.

use std::collections::HashMap;
use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, SinglePart};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{Message, SmtpTransport, Transport};

use super::{Mail, SmtpServer};

/// The port on which SMTP speaks TLS from the first byte.
const SMTPS_PORT: u16 = 465;

/// Why a mail was not sent.
type MailError = Box<dyn std::error::Error + Send + Sync>;

/// The transports of the servers mailed so far.
#[derive(Default)]
pub(crate) struct Mailers {
    by_server: HashMap<SmtpServer, SmtpTransport>,
}

impl Mailers {
    /// Sends `mail`, giving up on a server that does not answer within `timeout`.
    pub(crate) fn send(&mut self, mail: &Mail, timeout: Duration) -> Result<(), MailError> {
        let message = message(mail)?;
        let transport = match self.by_server.get(&mail.server) {
            Some(transport) => transport,
            None => {
                let transport = transport(&mail.server, timeout)?;
                self.by_server
                    .entry(mail.server.clone())
                    .or_insert(transport)
            }
        };
        transport.send(&message)?;
        Ok(())
    }
}

fn message(mail: &Mail) -> Result<Message, MailError> {
    let mut builder = Message::builder()
        .from(mail.from.parse::<Mailbox>()?)
        .subject(mail.subject.as_str());
    for to in &mail.to {
        builder = builder.to(to.parse::<Mailbox>()?);
    }
    let body = SinglePart::builder()
        .header(ContentType::parse("text/html; charset=UTF-8")?)
        .header(ContentTransferEncoding::QuotedPrintable)
        .body(mail.body.clone());
    Ok(builder.singlepart(body)?)
}

fn transport(server: &SmtpServer, timeout: Duration) -> Result<SmtpTransport, MailError> {
    let tls = TlsParameters::builder(server.host.clone())
        .dangerous_accept_invalid_certs(server.no_verify)
        .build()?;
    let tls = if server.port == SMTPS_PORT {
        Tls::Wrapper(tls)
    } else {
        Tls::Opportunistic(tls)
    };
    let mut builder = SmtpTransport::builder_dangerous(server.host.as_str())
        .port(server.port)
        .tls(tls)
        // Kapacitor's client greets as localhost.
        .hello_name(ClientId::Domain("localhost".to_owned()))
        .timeout(Some(timeout))
        .pool_config(PoolConfig::new().idle_timeout(server.idle_timeout));
    if !server.username.is_empty() {
        builder = builder.credentials(Credentials::new(
            server.username.clone(),
            server.password.clone(),
        ));
    }
    Ok(builder.build())
}
