"""The bulk downloads of the site (/data/): what each app declares."""

from aidportal.kernel.datasets import datasets_by_name
from articles.datasets import datasets as article_datasets
from personnel.datasets import datasets as personnel_datasets
from projects.datasets import datasets as project_datasets

DATASETS = datasets_by_name([*personnel_datasets, *project_datasets, *article_datasets])
