//! `cargo xtask dev [--private-db] [--smoke]`: from a fresh clone to a running Tally.
//!
//! Provision PostgreSQL, build `tally` once, `tally migrate`, `tally admin seed-demo
//! --json`, then `tally serve` in dev mode until Ctrl-C. `--smoke` stops as soon as
//! `/readyz` answers 200 (CI runs `cargo xtask dev --private-db --smoke`).
//!
//! Ctrl-C: the server runs in our process group, so the terminal's SIGINT reaches it
//! directly and it shuts down by itself; xtask dies with the same signal, and the private
//! cluster's watchdog (see [`crate::cluster`]) stops the cluster if this run started it.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, ToSocketAddrs};
use std::process::{Child, Command, ExitCode};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::postgres::{self, Purpose};
use crate::tally::Tally;
use crate::{bail, json, process, workspace, Error, Result};

const DEFAULT_BIND_ADDR: &str = "127.0.0.1:8080";
const READY_TIMEOUT: Duration = Duration::from_secs(60);
const READY_POLL: Duration = Duration::from_millis(250);

#[derive(Debug)]
pub struct Options {
    private_db: bool,
    smoke: bool,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Options> {
        let flags = crate::parse_flags("dev", args, &["--private-db", "--smoke"])?;
        Ok(Options {
            private_db: flags.contains(&"--private-db"),
            smoke: flags.contains(&"--smoke"),
        })
    }
}

/// What `tally admin seed-demo --json` reports.
#[derive(Debug)]
struct Demo {
    card_id: String,
    api_token: String,
    partner_email: String,
}

impl Demo {
    fn from_json(text: &str) -> Result<Demo> {
        let get = |key: &str| {
            json::field(text, key).ok_or_else(|| {
                Error::new(format!(
                    "`tally admin seed-demo --json` printed no `{key}`: {text}"
                ))
            })
        };
        Ok(Demo {
            card_id: get("card_id")?,
            api_token: get("api_token")?,
            partner_email: get("partner_email")?,
        })
    }
}

pub fn run(options: Options) -> Result<ExitCode> {
    let bind_addr = workspace::setting("BIND_ADDR").unwrap_or_else(|| DEFAULT_BIND_ADDR.into());
    let listen = resolve(&bind_addr)?;
    ensure_free(listen, &bind_addr)?;
    // Where we (and the browser) reach the server: loopback when it listens everywhere.
    let local = if listen.ip().is_unspecified() {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), listen.port())
    } else {
        listen
    };
    let base = format!("http://{local}");
    let public_base_url = workspace::setting("PUBLIC_BASE_URL").unwrap_or_else(|| base.clone());

    // Dropped last: stops a private cluster this run started, after the server.
    let database = postgres::provision(Purpose::Dev, options.private_db)?;
    database.announce();
    let tally = Tally::build()?;
    tally.migrate(&database.url)?;
    // The simulated store the demo card is connected to (stopped with the server).
    let store = crate::store::Store::start()?;
    let demo = Demo::from_json(&tally.seed_demo_json(
        &database.url,
        Some(&public_base_url),
        Some(&store),
    )?)?;

    eprintln!("xtask: starting tally serve on {bind_addr}");
    let mut command = tally.command(&database.url);
    command
        .arg("serve")
        .env("BIND_ADDR", &bind_addr)
        .env("PUBLIC_BASE_URL", &public_base_url)
        .envs(store.tally_env())
        .stdout(process::to_stderr());
    let mut server = Server::spawn(&mut command)?;
    server.wait_ready(local)?;

    if options.smoke {
        eprintln!("xtask: smoke test passed: GET {base}/readyz answered 200; stopping");
        drop(server);
        drop(database);
        return Ok(ExitCode::SUCCESS);
    }

    let token = &demo.api_token;
    println!();
    println!("Tally is running at {base}");
    println!(
        "  partner dashboard: sign in as {} at {base}/partner/login",
        demo.partner_email
    );
    println!("  member portal:     sign in as ann@example.com (a demo member) at {base}/login");
    println!("  sign-in codes and other emails appear at {base}/dev/mailbox");
    println!("  demo card id:      {}", demo.card_id);
    println!(
        "  simulated store:   {} (WooCommerce, connected to the demo card)",
        store.base_url
    );
    println!("  place a test order and watch the points arrive (partner Overview, or Ann's card):");
    println!("        {}", store.order_example("ann@example.com"));
    println!("  demo API token:    {token} (for the partner API, /api/v1)");
    println!("  database:          {}", database.url);
    println!("Press Ctrl-C to stop the server (and the private PostgreSQL cluster if this run started it).");
    println!();

    let status = server.wait()?;
    eprintln!("xtask: tally serve exited ({status})");
    Ok(process::exit_code(status))
}

fn resolve(bind_addr: &str) -> Result<SocketAddr> {
    match bind_addr.to_socket_addrs().map(|mut addrs| addrs.next()) {
        Ok(Some(address)) => Ok(address),
        _ => bail!("BIND_ADDR={bind_addr} is not a host:port address"),
    }
}

/// Fails early when something else holds the port: its `/readyz` would fool us.
fn ensure_free(listen: SocketAddr, bind_addr: &str) -> Result<()> {
    if let Err(error) = TcpListener::bind(listen) {
        bail!(
            "cannot listen on {bind_addr} ({error}); is another server running there? \
             Set BIND_ADDR (e.g. BIND_ADDR=127.0.0.1:8081) to use another address"
        );
    }
    Ok(())
}

/// A running `tally serve`; dropping it stops the server (SIGTERM, then SIGKILL).
#[derive(Debug)]
struct Server {
    child: Option<Child>,
}

impl Server {
    fn spawn(command: &mut Command) -> Result<Server> {
        let program = std::path::PathBuf::from(command.get_program());
        let child = command
            .spawn()
            .map_err(crate::io_context("start", &program))?;
        Ok(Server { child: Some(child) })
    }

    fn child(&mut self) -> &mut Child {
        self.child
            .as_mut()
            .expect("the child is only taken on drop")
    }

    /// Polls `GET /readyz` until it answers 200; fails if the server dies or the
    /// deadline passes.
    fn wait_ready(&mut self, address: SocketAddr) -> Result<()> {
        let started = Instant::now();
        let mut last = None;
        while started.elapsed() < READY_TIMEOUT {
            if let Some(status) = self.child().try_wait()? {
                bail!("tally serve exited ({status}) before /readyz answered; its output is above");
            }
            last = crate::http::get_status(address, "/readyz");
            if last == Some(200) {
                eprintln!("xtask: ready after {:.1}s", started.elapsed().as_secs_f64());
                return Ok(());
            }
            sleep(READY_POLL);
        }
        let last = last.map_or("no answer".to_string(), |code| {
            format!("last answer {code}")
        });
        bail!(
            "GET http://{address}/readyz did not answer 200 within {}s ({last})",
            READY_TIMEOUT.as_secs()
        )
    }

    fn wait(&mut self) -> Result<std::process::ExitStatus> {
        Ok(self.child().wait()?)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if matches!(child.try_wait(), Ok(Some(_))) {
            return;
        }
        // A graceful shutdown first (std can only send SIGKILL).
        let terminated =
            process::succeeds(Command::new("kill").args(["-TERM", &child.id().to_string()]));
        let deadline = Instant::now() + Duration::from_secs(10);
        while terminated && Instant::now() < deadline {
            if matches!(child.try_wait(), Ok(Some(_))) {
                return;
            }
            sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}
