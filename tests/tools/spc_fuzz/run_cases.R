# Usage: Rscript run_cases.R in.json out.json  (QIC_SRC=folder holding qicharts2 0.8.1 R/helper.functions.R and a data-only qic.R)
# in.json: list of {id, input}; out.json: list of {id, expected}
suppressPackageStartupMessages(library(jsonlite))
src <- Sys.getenv('QIC_SRC', '/work/scratch/qicharts2/R')
source(file.path(src, 'helper.functions.R'))
source(file.path(src, 'qic.R'))
args <- commandArgs(TRUE)
cases <- fromJSON(args[1], simplifyVector = FALSE)

num <- function(v) as.numeric(vapply(v, function(e) if (is.null(e)) NA_real_ else as.numeric(e), 1))
clean <- function(v) { if (is.numeric(v)) v[!is.finite(v)] <- NA; v }

run_one <- function(cs) {
  inp <- cs$input
  y <- num(inp$y)
  df <- data.frame(y = y)
  if (!is.null(inp$x)) {
    xt <- if (is.null(inp$x_type)) (if (any(vapply(inp$x, is.character, TRUE))) 'character' else 'numeric') else inp$x_type
    xv <- inp$x
    if (xt == 'date') df$x <- as.Date(vapply(xv, function(e) if (is.null(e)) NA_character_ else e, ''))
    else if (xt == 'character') df$x <- vapply(xv, function(e) if (is.null(e)) NA_character_ else e, '')
    else df$x <- num(xv)
  } else df$x <- seq_along(y)
  args <- list(x = quote(x), y = quote(y))
  if (!is.null(inp$n)) { df$n <- num(inp$n); args$n <- quote(n) }
  if (!is.null(inp$facet)) { df$facet <- vapply(inp$facet, function(e) e, ''); args$facets <- ~facet }
  args$data <- quote(df)
  args$chart <- inp$chart
  if (!is.null(inp$agg_fun)) args$agg.fun <- inp$agg_fun
  if (!is.null(inp$method)) args$method <- inp$method
  if (!is.null(inp$multiply)) args$multiply <- inp$multiply
  if (!is.null(inp$freeze)) args$freeze <- as.integer(inp$freeze)
  if (!is.null(inp$part)) {
    if (is.character(inp$part[[1]])) args$part <- vapply(inp$part, function(e) e, '')
    else args$part <- as.integer(unlist(inp$part))
  }
  if (!is.null(inp$exclude)) args$exclude <- as.integer(unlist(inp$exclude))
  if (!is.null(inp$cl)) {
    if (is.list(inp$cl)) { df$cl <- num(inp$cl); args$cl <- quote(cl) } else args$cl <- inp$cl
  }
  if (!is.null(inp$y_neg)) args$y.neg <- inp$y_neg
  screened <- if (is.null(inp$screened_mr)) TRUE else isTRUE(inp$screened_mr)
  options(qic.screenedmr = screened)
  shown <- args; shown$data <- quote(df)
  call_txt <- paste(deparse(as.call(c(as.name('qic'), shown)), width.cutoff = 500), collapse = ' ')
  warns <- character(0); msgs <- character(0)
  res <- tryCatch(withCallingHandlers(do.call(qic, args, envir = environment()),
                    warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart('muffleWarning') },
                    message = function(m) { msgs <<- c(msgs, sub('\n$', '', conditionMessage(m))); invokeRestart('muffleMessage') }),
                  error = function(e) e)
  out <- list(qicharts2_version = '0.8.1', call = call_txt, error = NULL, plot_error = NULL,
              warnings = I(warns), messages = I(msgs), screened_mr = screened)
  if (inherits(res, 'error')) {
    out$error <- conditionMessage(res); out['plot_error'] <- list(NULL)
    out$points <- list(); out$summary <- list()
    out['error'] <- list(conditionMessage(res))
    return(out)
  }
  d <- res
  has_facet <- !is.null(inp$facet)
  xo <- d$x
  if (inherits(xo, 'POSIXt')) xo <- format(xo, '%Y-%m-%d', tz = 'UTC')
  pts <- data.frame(x = xo, idx = d$xx, part = d$part, y = clean(d$y), n = clean(as.numeric(d$n)),
                    y.sum = clean(d$y.sum), y.length = d$y.length, cl = clean(d$cl),
                    lcl = clean(d$lcl), ucl = clean(d$ucl), lcl.95 = clean(d$lcl.95), ucl.95 = clean(d$ucl.95),
                    sigma.signal = d$sigma.signal, runs.signal = as.logical(d$runs.signal),
                    baseline = d$baseline, include = d$include, stringsAsFactors = FALSE)
  if (has_facet) pts <- cbind(facet = as.character(d$facet1), pts, stringsAsFactors = FALSE)
  ord <- if (has_facet) order(pts$facet, pts$idx) else order(pts$idx)
  pts <- pts[ord, ]
  s <- qic.summary(d)
  sm <- data.frame(part = s$part, n.obs = s$n.obs, n.useful = s$n.useful,
                   longest.run = s$longest.run, longest.run.max = s$longest.run.max,
                   n.crossings = s$n.crossings, n.crossings.min = s$n.crossings.min,
                   runs.signal = as.logical(s$runs.signal), aLCL = clean(s$aLCL), aLCL.95 = clean(s$aLCL.95),
                   CL = clean(s$CL), aUCL.95 = clean(s$aUCL.95), aUCL = clean(s$aUCL),
                   sigma.signal = s$sigma.signal)
  if (has_facet) sm <- cbind(facet = as.character(s$facet1), sm, stringsAsFactors = FALSE)
  rownames(pts) <- NULL; rownames(sm) <- NULL
  out$points <- pts; out$summary <- sm
  out
}

res <- lapply(cases, function(cs) list(id = cs$id, expected = run_one(cs)))
writeLines(toJSON(res, auto_unbox = TRUE, digits = I(15), na = 'null', null = 'null', dataframe = 'rows', pretty = FALSE), args[2])
