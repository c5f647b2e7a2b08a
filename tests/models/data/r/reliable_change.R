# Reference results for tests/models/test_reliable_change.py (outcomes.models.reliable_change).
#
# Run from anywhere:  Rscript tests/models/data/r/reliable_change.R
# Reads reliable_change_panel.csv (two made-up projects: "alpha" measured with the MHI-5,
# higher = better, cut-off 60; "beta" with the GAD-7, lower = better, no two-sided cut-off)
# and writes reliable_change_results.json next to this script. Plain R arithmetic, after
# Jacobson NS, Truax P (1991), J Consult Clin Psychol 59(1):12-19:
#   baseline = the wave-0 score, last = the score of the latest later wave with a score;
#   S_diff = SD * sqrt(2) * sqrt(1 - r); RCI = (last - baseline) / S_diff;
#   SD = the published normative SD (GAD-7: 3.4) or else the sample SD of the baselines of
#   the participants with a baseline and a later score (MHI-5);
#   improved / deteriorated beyond +/- 1.96 in the better / worse direction; recovered =
#   improved and baseline < 60 and last >= 60 (MHI-5 only).
# The reliabilities are those of data_schemas/instruments/mhi5.yaml (alpha 0.84) and
# gad7.yaml (alpha 0.89, SD 3.4).
suppressPackageStartupMessages(library(jsonlite))

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grepl("^--file=", args)])
here <- if (length(script) == 1L) dirname(normalizePath(script)) else getwd()

panel <- read.csv(file.path(here, "reliable_change_panel.csv"), stringsAsFactors = FALSE,
                  na.strings = "")
panel$network_group[is.na(panel$network_group) | panel$network_group == ""] <- "unknown"

instruments <- list(
  alpha = list(column = "mhi5", r = 0.84, sd = NA_real_, higher = TRUE, cutoff = 60),
  beta = list(column = "gad7", r = 0.89, sd = 3.4, higher = FALSE, cutoff = NA_real_)
)

participants <- list()
summaries <- list()
for (project in names(instruments)) {
  spec <- instruments[[project]]
  rows <- panel[panel$project == project & !is.na(panel[[spec$column]]), ]
  ids <- sort(unique(rows$participant_id))
  base <- c(); last <- c(); group <- c(); kept <- c()
  for (id in ids) {
    own <- rows[rows$participant_id == id, ]
    if (!any(own$wave == 0) || !any(own$wave > 0)) next
    later <- own[own$wave > 0, ]
    kept <- c(kept, id)
    base <- c(base, own[own$wave == 0, spec$column])
    last <- c(last, later[which.max(later$wave), spec$column])
    group <- c(group, own$network_group[1])
  }
  sd_used <- if (is.na(spec$sd)) sd(base) else spec$sd
  s_diff <- sd_used * sqrt(2) * sqrt(1 - spec$r)
  rci <- (last - base) / s_diff
  better <- if (spec$higher) rci else -rci
  class <- ifelse(better > 1.96, "improved", ifelse(better < -1.96, "deteriorated", "unchanged"))
  if (!is.na(spec$cutoff)) {
    class[class == "improved" & base < spec$cutoff & last >= spec$cutoff] <- "recovered"
  }
  for (i in seq_along(kept)) {
    participants[[length(participants) + 1L]] <- list(
      project = project, participant_id = kept[i], network_group = group[i],
      baseline = base[i], last = last[i], rci = rci[i], class = class[i]
    )
  }
  counts <- lapply(c("recovered", "improved", "unchanged", "deteriorated"),
                   function(k) sum(class == k))
  names(counts) <- c("recovered", "improved", "unchanged", "deteriorated")
  summaries[[project]] <- list(n = length(kept), sd = sd_used, s_diff = s_diff,
                               counts = counts)
}

out <- list(
  participants = participants,
  projects = summaries,
  versions = list(R = paste(R.version$major, R.version$minor, sep = "."),
                  jsonlite = as.character(packageVersion("jsonlite")))
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           file.path(here, "reliable_change_results.json"))
