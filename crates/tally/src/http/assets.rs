//! `GET /static/{path}`: the embedded static files, cached for a day.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::templates::TEMPLATE_DIR;

pub(crate) async fn static_file(path: web::Path<String>) -> HttpResponse {
    let path = path.into_inner();
    if path.contains("..") {
        return HttpResponse::NotFound().finish();
    }
    match TEMPLATE_DIR.get_file(format!("static/{path}")) {
        Some(file) => {
            let mime = mime_guess::from_path(&path).first_or_octet_stream();
            HttpResponse::Ok()
                .content_type(mime.essence_str())
                .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
                .body(file.contents())
        }
        None => HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("not found"),
    }
}
