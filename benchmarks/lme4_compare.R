# Fit M1 with lme4 on a prepared panel (CSV with wellbeing, years, network_size_bl_c,
# participant_id and optionally project) and print one key=value per line.
# Usage: Rscript lme4_compare.R panel.csv reml(TRUE|FALSE)
suppressPackageStartupMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
reml <- as.logical(args[2])
d$participant_id <- factor(d$participant_id)
several <- "project" %in% names(d) && length(unique(d$project)) > 1
f <- if (several) {
  wellbeing ~ years * network_size_bl_c + project * years + (1 + years | participant_id)
} else {
  wellbeing ~ years * network_size_bl_c + (1 + years | participant_id)
}
elapsed <- system.time(m <- lmer(f, data = d, REML = reml))[["elapsed"]]
cat(sprintf("seconds=%.6f\n", elapsed))
cat(sprintf("loglik=%.10f\n", as.numeric(logLik(m))))
fe <- fixef(m)
for (name in names(fe)) cat(sprintf("beta[%s]=%.10f\n", name, fe[[name]]))
msgs <- m@optinfo$conv$lme4$messages
cat(sprintf("warnings=%s\n", if (is.null(msgs)) "" else paste(msgs, collapse = " | ")))
cat(sprintf("version=%s\n", as.character(packageVersion("lme4"))))
